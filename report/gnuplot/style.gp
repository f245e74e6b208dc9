# style.gp - loaded first by every kind script (bars, lines, panels,
# barpanels, stacked). Sets the terminal from the per-figure script's
# variables term ('png' or 'svg'), out (the file), w and h (pixels), and
# gives line type k the colour, point type and dash of series k in
# report/plot_mpl.py (report/figlayout.py: matplotlib's default colours;
# markers o s ^ D v X P * < > as gnuplot point types 7 5 9 13 11 2 1 3 6 8;
# dashes - -- -. : as dash types 1 2 4 3, lines only).
reset
if (term eq 'svg') {
    set terminal svg size w,h font 'sans,10' background '#ffffff'
} else {
    set terminal pngcairo size w,h font 'sans,10'
}
set output out
set datafile separator ','
set datafile missing 'NaN'
array MKB_COL[10] = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', \
                     '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf']
array MKB_PT[10] = [7, 5, 9, 13, 11, 2, 1, 3, 6, 8]
array MKB_DT[4] = [1, 2, 4, 3]
do for [k=1:10] {
    set linetype k lc rgb MKB_COL[k] pt MKB_PT[k]
}
# the line type and dash type of CSV column i: sidx[i] is its style index
# (figlayout.series_index: a series keeps its colour in every panel); bars
# take no dash (their border would be dashed)
series(i) = sidx[i] % 10 + 1
dash(i) = MKB_DT[sidx[i] % 4 + 1]
# how a bar's value is written on it (vrot 1: upright, for many bars)
vstyle = (exists("vrot") && vrot) ? "rotate by 90 left offset 0, 0.3" : "center offset 0, 0.6"
