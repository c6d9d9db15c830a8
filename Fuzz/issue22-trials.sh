#!/usr/bin/env bash
# Usage: Fuzz/issue22-trials.sh SPIKEBAR_BINARY SCRATCH_FOLDER
# The trials of issue #22 (Docs/reliability.md, "Round two"): each prints "class trial held|BROKE".
# Run with the spikebar binary to judge and an empty scratch folder, e.g. Fuzz/issue22-trials.sh .build/debug/spikebar /tmp/trials
B=$(realpath "$1"); W=$2
[ -e "$W" ] && [ -n "$(ls -A "$W")" ] && { echo "the scratch folder must be empty or absent: $W" >&2; exit 2; }
mkdir -p "$W"; cd "$W"
tiny() { local lay="$2"; [ -z "$lay" ] && lay='[{name: out, size: 1}]'; cat <<Y
seed: 7
network: {input: ${1:-1}, layers: $lay}
neurons: {tau_mem: 20e-3, tau_syn: 5e-3, threshold: 1.0, reset: 0.0, refractory: 2e-3, membrane_resistance: 2e9, synapse_gain: ${3:-1}}
heterogeneity: {tau_cv: 0}
device: {levels: 8, g_min: 10e-6, g_max: 100e-6, read_voltage: 0.1, read_pulse: 100e-9, programming_error: 0, read_noise: 0}
weights: {source: generated, target_rate: 0}
input: {source: uniform, max_rate: ${4:-0}, window: 0.05, samples: 1}
simulation: {timing: exact, dt: 1e-3}
Y
}
moons() { tiny 16 "[{name: hidden, size: 8}, {name: out, size: 2}]" 20 | sed "s/device: {\(.*\)}/device: {levels: 8, g_min: 10e-6, g_max: 100e-6, read_voltage: 0.1, read_pulse: 100e-9, programming_error: 2e-6, read_noise: 0.01, physics: {model: hfo2}}/; s/input: {.*}/input: {source: two_moons, max_rate: 200, window: 0.03, samples: $1}/"; }
r() { ( ulimit -v 4000000; timeout ${T:-60} "$B" "$@" > out.txt 2> err.txt ); echo $?; }
say() { printf '%s %-40s %s\n' "$1" "$2" "$3"; }
tiny > s.yaml; cp s.yaml s.orig
# class 1
rc=$(r run s.yaml --record s.yaml --out o1 --quiet); cmp -s s.yaml s.orig && [ $rc = 2 ] && say 1 record-onto-scenario held || say 1 record-onto-scenario BROKE; cp s.orig s.yaml
mkfifo f; rc=$(T=20 r run s.yaml --record f --out o2 --quiet); [ -p f ] && [ $rc = 2 ] && say 1 record-onto-fifo held || say 1 record-onto-fifo BROKE; rm -f f
rc=$(r run s.yaml --out s.yaml --quiet); cmp -s s.yaml s.orig && [ $rc = 2 ] && grep -q "s.yaml" err.txt && ! grep -qi nserror err.txt && say 1 out-is-a-file held || say 1 out-is-a-file BROKE; cp s.orig s.yaml
(echo "name: ../../x"; tiny) > evil.yaml; mkdir -p deep/a/b; cd deep/a/b; rc=$(r run ../../../evil.yaml --quiet); cd $W; [ $rc = 2 ] && [ ! -e deep/x ] && say 1 name-escapes-folder held || say 1 name-escapes-folder BROKE
(echo "name: .."; tiny) > dots.yaml; mkdir -p d2; cd d2; rc=$(r run ../dots.yaml --quiet); cd $W; [ $rc = 2 ] && [ ! -e d2/spikebar-out/report.json ] && [ ! -e d2/report.json ] && say 1 name-dotdot held || say 1 name-dotdot BROKE
r run s.yaml --out o --quiet >/dev/null; cp o/report.json rep.keep; rc=$(r run s.yaml --out o --samples 2 --quiet); cmp -s o/report.json rep.keep && [ $rc = 2 ] && say 1 other-runs-results-kept held || say 1 other-runs-results-kept BROKE
printf 'time_s,population,index\n0.001,a,0\n' > in.csv; cp in.csv in.orig; rc=$(r trace import --format csv in.csv --out in.csv); cmp -s in.csv in.orig && [ $rc = 2 ] && say 1 import-out-is-input held || say 1 import-out-is-input BROKE
moons 3 > m.yaml; r run m.yaml --record t.sbt --out om --quiet >/dev/null; cp t.sbt t.keep; rc=$(r trace repair t.sbt --out t.sbt); cmp -s t.sbt t.keep && [ $rc = 2 ] && say 1 repair-out-is-input held || say 1 repair-out-is-input BROKE
# two writers at once: both record the same path; the survivor must be a valid trace and one must fail
moons 300 > big.yaml; ( "$B" run big.yaml --record two.sbt --out ob1 --quiet --threads 1 > /dev/null 2>e1; echo $? > rc1 ) & sleep 0.5; ( "$B" run big.yaml --record two.sbt --out ob2 --quiet --threads 1 > /dev/null 2>e2; echo $? > rc2 ); wait
ok=0; [ "$(cat rc1)" = 0 ] && [ "$(cat rc2)" != 0 ] && ok=1; "$B" trace replay two.sbt big.yaml --quiet > /dev/null 2>&1 && [ $ok = 1 ] && say 1 concurrent-record held || say 1 concurrent-record "BROKE (rc $(cat rc1)/$(cat rc2))"
# class 2
moons 6 > r.yaml; r run r.yaml --record run.sbt --out or --quiet --threads 1 > /dev/null; n=$(stat -c %s run.sbt); head -c $((n*2/3)) run.sbt > cut.sbt
rc=$(r trace replay cut.sbt r.yaml); [ $rc = 3 ] && ! grep -q "identical: yes" out.txt && say 2 replay-truncated held || say 2 replay-truncated "BROKE (rc $rc)"
rc=$(r trace cat cut.sbt); [ $rc = 3 ] && say 2 cat-truncated held || say 2 cat-truncated "BROKE (rc $rc)"
r trace repair cut.sbt --out rep.sbt > /dev/null; rc=$(r trace replay rep.sbt r.yaml); [ $rc = 3 ] && say 2 replay-repaired held || say 2 replay-repaired "BROKE (rc $rc)"
sed 's/input: {source: two_moons, max_rate: 200, window: 0.03, samples: 6}/input: {source: trace, file: cut.sbt, window: 0.03}/' r.yaml > ti.yaml; rc=$(r run ti.yaml --out oti --quiet); [ $rc = 3 ] && say 2 run-trace-input-cut held || say 2 run-trace-input-cut "BROKE (rc $rc)"
# class 3
i=0; for kv in "tau_mem: 20e-3|tau_mem: 1e308" "tau_mem: 20e-3|tau_mem: 5e-324" "refractory: 2e-3|refractory: 1e7" "read_pulse: 100e-9|read_pulse: 1e7" "window: 0.05|window: 1e7" "membrane_resistance: 2e9|membrane_resistance: 1e308" "g_max: 100e-6|g_max: 1e308" "read_voltage: 0.1|read_voltage: 1e308" "programming_error: 0,|programming_error: 1e308," "dt: 1e-3|dt: 1e-200" "read_noise: 0}|read_noise: 0, physics: {model: hfo2, relaxation_time: 1e-300}}"; do
  i=$((i+1)); a=${kv%%|*}; b=${kv#*|}; tiny | sed "s/$a/$b/" > v$i.yaml; rc=$(T=30 r run v$i.yaml --out ov$i --quiet); [ $rc = 2 ] && say 3 "$b" held || say 3 "$b" "BROKE (rc $rc)"; done
for v in nan inf 1e300; do rc=$(r trace cat run.sbt --from $v); [ $rc = 2 ] && say 3 "cat --from $v" held || say 3 "cat --from $v" "BROKE (rc $rc)"; done
rc=$(r validate crossbar --sizes 100000); [ $rc = 2 ] && say 3 "crossbar --sizes 100000" held || say 3 "crossbar --sizes 100000" "BROKE (rc $rc)"
# class 4
tiny 4 "[{name: hidden, size: 30}, {name: out, size: 4}]" 1e6 200 | sed 's/refractory: 2e-3/refractory: 0/' > ra.yaml; rc=$(T=90 r run ra.yaml --out ora --quiet); [ $rc = 2 ] && grep -q "'hidden'\|'out'" err.txt && say 4 runaway-refractory-0 held || say 4 runaway-refractory-0 "BROKE (rc $rc)"
# class 5
tiny 784 "" 1 100 > mem.yaml; rc=$(T=30 r run mem.yaml --samples 1000000 --memory-budget 256MiB --out omem --quiet); [ $rc = 2 ] && say 5 "samples 1e6 in 256MiB" held || say 5 "samples 1e6 in 256MiB" "BROKE (rc $rc)"
tiny 784 "" 1 100 | sed 's/window: 0.05/window: 1e5/' > win.yaml; rc=$(T=30 r run win.yaml --memory-budget 256MiB --out owin --quiet); [ $rc = 2 ] && say 5 "window 1e5 in 256MiB" held || say 5 "window 1e5 in 256MiB" "BROKE (rc $rc)"
# class 6
(tiny; echo "architectures: {rram_snn: {neuron_energy_per_spike: 1e308}}") > pr.yaml; rc=$(r run pr.yaml --out opr --quiet); ! grep -q '"inf"\|"nan"' opr/report.json 2>/dev/null && [ $rc != 0 ] && say 6 "price 1e308" held || say 6 "price 1e308" "BROKE (rc $rc)"
# class 8
(echo "seed: 1"; tiny | sed 's/^seed: 7$/seed: 2/') > dup.yaml; rc=$(r run dup.yaml --quiet); [ $rc = 2 ] && grep -q ":2" err.txt && [ $(wc -c < err.txt) -lt 600 ] && say 8 duplicate-key held || say 8 duplicate-key BROKE
printf 'time_s,population,index\r\n0.001,a,0\r\n' > crlf.csv; rc=$(r trace import --format csv crlf.csv --out crlf.sbt); [ $rc = 0 ] && say 8 csv-crlf held || say 8 csv-crlf "BROKE (rc $rc)"
printf -- '-1,a,0\n0.002,a,1\n' > neg.csv; rc=$(r trace import --format csv neg.csv --out neg.sbt); [ $rc = 2 ] && say 8 csv-first-time-minus-1 held || say 8 csv-first-time-minus-1 "BROKE (rc $rc)"
printf 'time_s,population,index\n0.001,"a,b",0\n' > q.csv; r trace import --format csv q.csv --out q.sbt > /dev/null; r trace cat q.sbt > /dev/null; grep -q '"a,b"' out.txt && say 8 cat-quotes-commas held || say 8 cat-quotes-commas BROKE
tiny 1 "[{name: a, size: 1}, {name: a, size: 1}]" > dl.yaml; rc=$(r run dl.yaml --out odl --quiet); [ $rc = 2 ] && say 8 duplicate-layer-names held || say 8 duplicate-layer-names "BROKE (rc $rc)"
tiny 1 "[{name: input, size: 1}]" > il.yaml; rc=$(r run il.yaml --out oil --quiet); [ $rc = 2 ] && say 8 layer-named-input held || say 8 layer-named-input "BROKE (rc $rc)"
echo "not a trace" > x.sbt; rc=$(r trace inspect x.sbt); [ $rc = 2 ] && say 8 trace-inspect-bad-input-exit-2 held || say 8 trace-inspect-bad-input-exit-2 "BROKE (rc $rc)"
# class 7
cat > moons.yaml <<Y
seed: 5
network: {input: 16, layers: [{name: hidden, size: 8}, {name: out, size: 2}]}
neurons: {synapse_gain: 20}
input: {source: two_moons, max_rate: 200, window: 0.05, samples: 20}
simulation: {timing: exact, dt: 1e-3}
training: {dataset: two_moons, train_samples: 40, test_samples: 20, epochs: 1, batch: 8}
Y
r train moons.yaml --out o --quiet --threads 1 > /dev/null; cp o/checkpoint.json ck.keep
rc=$(r train moons.yaml --out o --quiet --resume --lr 0.5); [ $rc = 2 ] && say 7 resume-other-lr held || say 7 resume-other-lr "BROKE (rc $rc)"
rc=$(r train moons.yaml --out o --quiet --resume --batch 4); [ $rc = 2 ] && say 7 resume-other-batch held || say 7 resume-other-batch "BROKE (rc $rc)"
cp ck.keep o/checkpoint.json; sed 's/seed: 5/seed: 6/' moons.yaml > moons6.yaml; rc=$(r train moons6.yaml --out o --quiet --resume); [ $rc = 2 ] && say 7 resume-other-seed held || say 7 resume-other-seed "BROKE (rc $rc)"
cp ck.keep o/checkpoint.json; python3 -c "
import json; c=json.load(open('o/checkpoint.json')); c['weights'][0]=c['weights'][0][:-1]; json.dump(c,open('o/checkpoint.json','w'))"
rc=$(r train moons.yaml --out o --quiet --resume); [ $rc = 2 ] && say 7 resume-short-row held || say 7 resume-short-row "BROKE (rc $rc)"
cp ck.keep o/checkpoint.json; python3 -c "
import json; c=json.load(open('o/checkpoint.json')); c['epoch']=-1; c['finished']=False; json.dump(c,open('o/checkpoint.json','w'))"
rc=$(r train moons.yaml --out o --quiet --resume); [ $rc = 2 ] && say 7 resume-epoch-minus-1 held || say 7 resume-epoch-minus-1 "BROKE (rc $rc)"
sed 's/training: .*//; s/samples: 20}/samples: 4}/' moons.yaml > sw.yaml
args="sweep sw.yaml --param bit_error_rate --values 0,0.1 --chips 1 --out sw --quiet --threads 1"
r $args > /dev/null; log=sw/sweep-bit_error_rate.partial.jsonl; sed -i -E 's/"accuracy":[0-9.]+/"accuracy":7.5/' $log
rc=$(r $args --resume); [ $rc = 2 ] && say 7 sweep-log-accuracy-7.5 held || say 7 sweep-log-accuracy-7.5 "BROKE (rc $rc)"
: > $log; rc=$(r $args --resume); [ $rc = 0 ] && say 7 sweep-empty-log-resume held || say 7 sweep-empty-log-resume "BROKE (rc $rc)"
