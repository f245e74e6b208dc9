# barpanels.gp - clustered bar plots one above the other, each on its own
# y axis (round trips and single operations never share one scale).
# Loaded by the per-figure scripts scripts/report.py writes, which set:
#   term, out, w, h (style.gp), csv, ttl, note, np (panels), prow, pcol
#   (the grid: np x 1, or 1 x np side by side, figlayout.barpanel_layout), arrays
#   ptitle[np], pyl[np] (y label), plogy[np] (1: log y), pymin[np] (bottom
#   of a log axis; 0: auto), phline[np] (dashed line at that y; NaN: none),
#   prfirst[np], prlast[np] (data rows drawn, from 0), pc0[np], pcn[np]
#   and pcols[]: panel p draws the pcn[p] CSV columns pcols[pc0[p] + 1 ..]
#   (those with a value in its rows), stitle[ncol] (legend names), vfmt (a
#   format: each bar's value on it; '': none), vrot (1: those upright)
load gpdir.'style.gp'
set grid ytics
if (pcol > 1) {   # side by side: each legend at the top of its plot, above the bars
    set key inside top center horizontal Left reverse noenhanced font ',8' samplen 2
} else {
    set key outside right top Left reverse noenhanced font ',8'
}
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.9 border -1
set xtics rotate by 30 right noenhanced font ',8'
set label 1 note at screen 0.5, screen 0.025 center noenhanced font ',8'
set key autotitle columnhead  # the first CSV row is the header (titles: stitle)
# margins and gaps in pixels (figlayout.barpanel_layout), as screen fractions
if (pcol > 1) {
    set multiplot layout prow, pcol title ttl noenhanced \
        margins 100.0/w, 1 - 30.0/w, 170.0/h, 1 - 70.0/h spacing 110.0/w, 0
} else {
    set multiplot layout prow, pcol title ttl noenhanced \
        margins 100.0/w, 1 - 290.0/w, 170.0/h, 1 - 70.0/h spacing 0, 170.0/h
}
do for [p=1:np] {
    set title ptitle[p] noenhanced
    set ylabel pyl[p] noenhanced
    if (plogy[p]) {
        set logscale y 10
        if (pymin[p] > 0) { set yrange [pymin[p]:*] } else { set autoscale y }
    } else {
        unset logscale y
        set yrange [0:*]
    }
    set offsets 0, 0, graph ((strlen(vfmt) > 0 ? 0.12 : 0) + (pcol > 1 ? 0.15 : 0)), 0
    unset arrow 1
    if (phline[p] == phline[p]) {
        set arrow 1 from graph 0, first phline[p] to graph 1, first phline[p] nohead dt 2 lw 1.5 front
    }
    set xrange [-0.55:prlast[p] - prfirst[p] + 0.45]
    a = prfirst[p]
    b = prlast[p]
    c0 = pc0[p]
    nb = pcn[p]
    if (strlen(vfmt) > 0) {
        plot for [k=1:nb] csv every ::a::b using pcols[c0 + k]:xtic(1) \
                 lt series(pcols[c0 + k]) title stitle[pcols[c0 + k]], \
             for [k=1:nb] csv every ::a::b \
                 using ($0 + (k - 1 - (nb - 1) / 2.0) / (nb + 1)):(column(pcols[c0 + k])):\
(sprintf(vfmt, column(pcols[c0 + k]))) \
                 with labels @vstyle font ',7' notitle
    } else {
        plot for [k=1:nb] csv every ::a::b using pcols[c0 + k]:xtic(1) \
             lt series(pcols[c0 + k]) title stitle[pcols[c0 + k]]
    }
    unset label 1
}
unset multiplot
