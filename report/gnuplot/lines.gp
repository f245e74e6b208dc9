# lines.gp - one line per CSV column against column 1 (size), for mkbench.
# Loaded by the per-figure scripts scripts/report.py writes, which set:
#   term, out, w, h (style.gp), csv, ttl, xl, yl, note, ncol, logx, logy,
#   xt (xtics list), keytop (1: legend in columns above the plot),
#   stitle (legend title of every CSV column)
load gpdir.'style.gp'
set title ttl noenhanced
set xlabel xl noenhanced
set ylabel yl noenhanced
set grid
if (keytop) {
    set tmargin 5
    set title offset 0, 1.8
    set key at screen 0.5, screen 0.93 center top horizontal maxrows 2 Left reverse noenhanced font ',8' samplen 2
} else {
    set key top left noenhanced
}
set bmargin 5
set label 1 note at screen 0.5, screen 0.03 center noenhanced font ',8'
if (logx) { set logscale x 2 }
set offsets graph 0.03, graph 0.03, 0, 0
if (logy) { set logscale y 10 }
if (strlen(xt) > 0) { eval('set xtics ('.xt.')') }
set key autotitle columnhead  # the first CSV row is the header (titles: stitle)
# size 0 cannot sit on a log axis: it is drawn at 1
plot for [i=2:ncol] csv using (column(1) > 0 ? column(1) : 1):i \
     with linespoints lw 2 lt series(i) dt dash(i) title stitle[i]
