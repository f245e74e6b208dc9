# bars.gp - clustered bars, one cluster per CSV row, one bar per column.
# Loaded by the per-figure scripts scripts/report.py writes, which set:
#   term, out, w, h (style.gp), csv, ttl, xl, yl, note, ncol, nrow (CSV
#   rows), logy, stitle (legend title of every CSV column), keytop (1:
#   legend in columns between title and plot), lm (left margin in
#   characters, 0: auto, wide enough for the rotated x labels), ymin
#   (bottom of a log y axis below the smallest bar, so a bar of 1 shows;
#   0: auto), hline (a dashed reference line at that y; NaN: none), vfmt
#   (a format: each bar's value written on it; '': none), vrot (1: those
#   upright)
load gpdir.'style.gp'
set title ttl noenhanced
set xlabel xl noenhanced
set ylabel yl noenhanced
set grid ytics
if (keytop) {
    set tmargin 6
    set title offset 0, 2.6
    set key at screen 0.5, screen 0.915 center top horizontal maxrows 2 Left reverse noenhanced font ',8' samplen 2
    set rmargin 3
} else {
    set key outside right top Left reverse noenhanced
}
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.9 border -1
set xtics rotate by 30 right noenhanced font ',8'
set bmargin 8
if (lm > 0) { set lmargin lm }
set label 1 note at screen 0.5, screen 0.025 center noenhanced font ',8'
if (logy) { set logscale y 10; if (ymin > 0) { set yrange [ymin:*] } } else { set yrange [0:*] }
if (strlen(vfmt) > 0) { set offsets 0, 0, graph 0.1, 0 }
set xrange [-0.55:nrow - 0.45]
if (hline == hline) { set arrow 1 from graph 0, first hline to graph 1, first hline nohead dt 2 lw 1.5 front }
set key autotitle columnhead  # the first CSV row is the header (titles: stitle)
nb = ncol - 1
if (strlen(vfmt) > 0) {
    plot for [i=2:ncol] csv using i:xtic(1) lt series(i) title stitle[i], \
         for [i=2:ncol] csv using ($0 + (i - 2 - (nb - 1) / 2.0) / (nb + 1)):i:(sprintf(vfmt, column(i))) \
             with labels @vstyle font ',7' notitle
} else {
    plot for [i=2:ncol] csv using i:xtic(1) lt series(i) title stitle[i]
}
