# One benchmark chart (docs/benchmarks.md, "Charts"): a run of sealpost-loadtest and the
# pgbench run of the least row work for the same result, second by second on the same axes.
# loadtest/render-charts.sh calls it for each chart, with these variables (gnuplot -e):
#   ours   the run's CSV (sealpost-loadtest relay|claim --progress-csv)
#   pg     the least-row-work pgbench run's CSV (loadtest/pgbench-seconds.py), "" for none
#   kind   "relay" or "claim";  chart  "throughput" or "p99"
#   title  the chart's title;   out    the SVG file to write
# Every point is a figure of one second as measured: a second with none (no operation
# completed, or pgbench printed no progress line for it) is a gap in its line.

set datafile separator comma
set datafile columnheaders
set terminal svg size 960,520 dynamic noenhanced font "sans,13" background rgb "white"
set output out
set title title
set xlabel "seconds since the load started"
set xrange [0:*]
set yrange [0:*]
set grid
set key below left Left reverse vertical maxcols 1 height 1.5
set style line 1 lc rgb "#1f5fa8" lw 2 pt 7 ps 0.5
set style line 2 lc rgb "#6aa5e0" lw 2 pt 5 ps 0.5
set style line 3 lc rgb "#d2691e" lw 2 dt 2 pt 9 ps 0.6

# A column's figure, or NaN for an empty field: gnuplot skips an empty field and would draw
# the line straight across the missing second, NaN breaks the line there.
gap(c) = strcol(c) eq "" ? NaN : column(c)

if (kind eq "relay") {
  least = "relay-least.sql, a transaction = one send to 2 devices, fetched and acked"
} else {
  least = "claim-least.sql, a transaction = one bundle claim"
}

if (chart eq "throughput") {
  set ylabel "per second"
  if (kind eq "relay") {
    OURS = 'ours using "elapsed_s":(gap("sends_per_s")) with linespoints ls 1 title "sealpost: sends/s (PUT answered 200)"'
  } else {
    OURS = 'ours using "elapsed_s":(gap("claims_per_s")) with linespoints ls 1 title "sealpost: claims/s that got a one-time key"'
  }
  PG = 'pg using "elapsed_s":(gap("tps")) with linespoints ls 3 title "pgbench least row work: transactions/s"'
} else {
  set ylabel "p99 (ms) of the operations completed in that second"
  if (kind eq "relay") {
    OURS = 'ours using "elapsed_s":(gap("send_p99_ms")) with linespoints ls 1 title "sealpost: send (PUT) p99", ours using "elapsed_s":(gap("e2e_p99_ms")) with linespoints ls 2 title "sealpost: end-to-end delivery p99 (send scheduled -> delivery read)"'
  } else {
    OURS = 'ours using "elapsed_s":(gap("claim_p99_ms")) with linespoints ls 1 title "sealpost: bundle claim (GET) p99"'
  }
  PG = 'pg using "elapsed_s":(gap("p99_ms")) with linespoints ls 3 title "pgbench least row work: transaction p99 (from its per-transaction log)"'
}
if (pg ne "") {
  set title title."\npgbench least row work: ".least
}

if (pg eq "") {
  plot @OURS
} else {
  plot @OURS, @PG
}
