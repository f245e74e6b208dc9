# panels.gp - a grid of line plots against column 1 (size), for mkbench.
# Loaded by the per-figure scripts scripts/report.py writes, which set:
#   csv, out, ttl, xl, note, logx, logy, xt (xtics list), pw, ph (pixels),
#   prow, pcol (grid), np (panels), arrays ptitle[np], pyl[np] (y label),
#   pfirst[np], plast[np] (CSV columns drawn), stitle[ncol] (legend names)
set terminal pngcairo size pw,ph font 'sans,10'
set output out
set datafile separator ','
set datafile missing 'NaN'
set grid
set key top left noenhanced font ',8'
if (logx) { set logscale x 2 }
if (logy) { set logscale y 10 }
set offsets graph 0.03, graph 0.03, 0, 0
if (strlen(xt) > 0) { eval('set xtics ('.xt.') font ",8"') }
set label 1 note at screen 0.5, screen 0.015 center noenhanced font ',8'
# margins and gaps in pixels, turned into screen fractions
set multiplot layout prow, pcol title ttl noenhanced \
    margins 90.0/pw, 1 - 20.0/pw, 85.0/ph, 1 - 60.0/ph spacing 100.0/pw, 95.0/ph
do for [p=1:np] {
    set title ptitle[p] noenhanced
    set xlabel xl noenhanced
    set ylabel pyl[p] noenhanced
    # size 0 cannot sit on a log axis: it is drawn at 1
    plot for [i=pfirst[p]:plast[p]] csv using (column(1) > 0 ? column(1) : 1):i \
         with linespoints lw 2 pt 7 title stitle[i]
    unset label 1
}
unset multiplot
