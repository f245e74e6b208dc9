# stacked.gp - stacked bars, one bar per CSV row, its columns stacked bottom
# to top, the total (the sum of the parts) written above each bar.
# Loaded by the per-figure scripts scripts/report.py writes, which set:
#   term, out, w, h (style.gp), csv, ttl, xl, yl, note, ncol, nrow, stitle,
#   keytop, lm (as bars.gp), vfmt (format of the totals)
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
set style histogram rowstacked
set style fill solid 0.9 border -1
set boxwidth 0.7
set xtics rotate by 30 right noenhanced font ',8'
set bmargin 8
if (lm > 0) { set lmargin lm }
set label 1 note at screen 0.5, screen 0.025 center noenhanced font ',8'
set yrange [0:*]
set offsets 0, 0, graph 0.08, 0
set xrange [-0.55:nrow - 0.45]
set key autotitle columnhead  # the first CSV row is the header (titles: stitle)
part(c) = valid(c) ? column(c) : 0
total = 0
plot for [i=2:ncol] csv using i:xtic(1) lt series(i) title stitle[i], \
     csv using 0:(total = sum [c=2:ncol] part(c)):(sprintf(strlen(vfmt) ? vfmt : '%.0f', total)) \
         with labels offset 0, 0.6 font ',7' notitle
