# bars.gp - clustered bars, one cluster per CSV row, one bar per column.
# Loaded by the per-figure scripts scripts/report.py writes, which set:
#   csv, out, ttl, xl, yl, note, ncol, logy
set terminal pngcairo size 800,500 font 'sans,10'
set output out
set datafile separator ','
set datafile missing 'NaN'
set title ttl noenhanced
set xlabel xl noenhanced
set ylabel yl noenhanced
set grid ytics
set key outside right top Left reverse noenhanced
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.8 border -1
set xtics rotate by 30 right noenhanced font ',8'
set bmargin 8
set label 1 note at screen 0.5, screen 0.02 center noenhanced font ',8'
if (logy) { set logscale y 10 } else { set yrange [0:*] }
plot for [i=2:ncol] csv using i:xtic(1) title columnhead(i)
