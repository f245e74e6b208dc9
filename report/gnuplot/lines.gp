# lines.gp - one line per CSV column against column 1 (size), for mkbench.
# Loaded by the per-figure scripts scripts/report.py writes, which set:
#   csv, out, ttl, xl, yl, note, ncol, logx, logy, xt (xtics list)
set terminal pngcairo size 800,500 font 'sans,10'
set output out
set datafile separator ','
set datafile missing 'NaN'
set title ttl noenhanced
set xlabel xl noenhanced
set ylabel yl noenhanced
set grid
set key top left noenhanced
set bmargin 5
set label 1 note at screen 0.5, screen 0.03 center noenhanced font ',8'
if (logx) { set logscale x 2 }
set offsets graph 0.03, graph 0.03, 0, 0
if (logy) { set logscale y 10 }
if (strlen(xt) > 0) { eval('set xtics ('.xt.')') }
# size 0 cannot sit on a log axis: it is drawn at 1
plot for [i=2:ncol] csv using (column(1) > 0 ? column(1) : 1):i \
     with linespoints lw 2 pt 7 title columnhead(i)
