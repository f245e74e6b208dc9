# panels.gp - a grid of line plots against column 1 (size), for mkbench.
# Loaded by the per-figure scripts scripts/report.py writes, which set:
#   term, out, w, h (style.gp), csv, ttl, xl, note, logx, xt (xtics list),
#   prow, pcol (grid), np (panels), arrays ptitle[np], pyl[np] (y label),
#   pshowyl[np] (1: draw it; the left column, or a panel whose label
#   differs from its left neighbour's), pkey[np] (1: a legend; only where
#   a series appears first), plogy[np] (1: log y), phline[np] (a dashed
#   line at that y; NaN: none), pfirst[np], plast[np] (CSV columns drawn),
#   pover[np] (0, or a CSV column each is divided by), stitle[ncol] (legend
#   names)
load gpdir.'style.gp'
set grid
if (logx) { set logscale x 2 }
set offsets graph 0.03, graph 0.03, graph 0.04, graph 0.04
if (strlen(xt) > 0) { eval('set xtics ('.xt.') font ",8"') }
set label 1 note at screen 0.5, screen 0.025 center noenhanced font ',8'
set key autotitle columnhead  # the first CSV row is the header (titles: stitle)
# margins and gaps in pixels, turned into screen fractions
set multiplot layout prow, pcol title ttl noenhanced \
    margins 100.0/w, 1 - 20.0/w, 85.0/h, 1 - 60.0/h spacing 100.0/w, 95.0/h
do for [p=1:np] {
    set title ptitle[p] noenhanced
    set xlabel xl noenhanced
    if (pshowyl[p]) { set ylabel pyl[p] noenhanced } else { unset ylabel }
    if (pkey[p]) { set key top left noenhanced font ',8' } else { unset key }
    if (plogy[p]) { set logscale y 10 } else { unset logscale y }
    unset arrow 1
    if (phline[p] == phline[p]) {
        set arrow 1 from graph 0, first phline[p] to graph 1, first phline[p] nohead dt 2 lw 1.5 front
    }
    # size 0 cannot sit on a log axis: it is drawn at 1
    ob = pover[p]
    if (ob > 0) {
        plot for [i=pfirst[p]:plast[p]] csv \
             using (column(1) > 0 ? column(1) : 1):(column(i) / column(ob)) \
             with linespoints lw 2 lt series(i) dt dash(i) title stitle[i]
    } else {
        plot for [i=pfirst[p]:plast[p]] csv using (column(1) > 0 ? column(1) : 1):i \
             with linespoints lw 2 lt series(i) dt dash(i) title stitle[i]
    }
    unset label 1
}
unset multiplot
