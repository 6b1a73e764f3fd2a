#!/usr/bin/env bash
# The hostile-input corpus (tests/hostile/README.md): runs every case of a cases file.
#
#   run_hostile.sh CLI GUI CORPUS CASES [--ulimit-kb N] [--only LINE] [--dump DIR]
#
# CLI: the kvscope-cli binary; GUI: the kvscope binary, or "" or "none" when the GUI is not built (its cases
# are then skipped and counted); CORPUS: tests/hostile/files; CASES: tests/hostile/cases.txt.
# --ulimit-kb N: run each command under `ulimit -v N`; then every case must end with exit 0 or 2
# and print no "internal error" (its own exit code and fragment are not checked).
# --only LINE: run the case of that line only. --dump DIR: keep every case's LINE.rc/.out/.err.
#
# A case is one line: EXIT<TAB>FRAGMENT<TAB>BIN<TAB>ARG...  (blank lines and # lines are skipped)
#   EXIT      the expected exit status (0 success, 2 bad input)
#   FRAGMENT  a substring that must appear in stderr (EXIT 0: in stdout or stderr); "-" = none
#   BIN       cli (kvscope-cli), gui (kvscope, run with QT_QPA_PLATFORM=offscreen) or cligui
#             (kvscope-cli export: needs a GUI build, skipped with GUI "" like gui cases)
#   ARG       literal arguments, with placeholders: {F} the corpus folder, {OUT} the case's empty
#             scratch folder (only the files an argument names under {OUT} may be left there),
#             {RT} a folder of inputs made at run time (FIFOs, dangling symlinks, odd names...),
#             {ESC} the ESC byte, {NL} a newline, {TAB} a tab.
# Every case runs under `timeout 30` (124 = hang = failure); a signal (exit >= 128) is a crash.
# No file may appear in the scratch folder besides the expected ones, in the case's TMPDIR, or
# in the corpus and run-time folders (nothing like .NAME.tmp-XXXX left next to an input).
set -u

if [ $# -lt 4 ]; then
  echo "usage: $0 CLI GUI CORPUS CASES [--ulimit-kb N] [--only LINE]" >&2
  exit 2
fi
CLI=$1; GUI=$2; if [ "$GUI" = none ]; then GUI=""; fi; CORPUS=$(cd "$3" && pwd); CASES=$4; shift 4
ULIMIT_KB=""; ONLY=""; DUMP=""
while [ $# -gt 0 ]; do
  case $1 in
    --ulimit-kb) ULIMIT_KB=$2; shift 2 ;;
    --only) ONLY=$2; shift 2 ;;
    --dump) DUMP=$2; shift 2 ;;
    *) echo "unknown argument: $1" >&2; exit 2 ;;
  esac
done

WORK=$(mktemp -d "${TMPDIR:-/tmp}/kvscope-hostile.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
RT=$WORK/rt
mkdir -p "$RT"

# ---- inputs that cannot be committed
mkfifo "$RT/fifo.gguf" "$RT/fifo.json" "$RT/fifo.csv" "$RT/fifo.txt"
ln -s "$RT/nowhere.gguf" "$RT/dangling.gguf"
ln -s "$RT/nowhere.json" "$RT/dangling.json"
ln -s "$RT/loop_b.json" "$RT/loop_a.json"; ln -s "$RT/loop_a.json" "$RT/loop_b.json"
ln -s /dev/zero "$RT/zero.gguf"
ln -s /dev/zero "$RT/zero.json"
ln -s /dev/zero "$RT/zero.csv"
ln -s /dev/zero "$RT/zero.txt"
mkdir "$RT/dir.gguf" "$RT/dir.json" "$RT/dir.bin" "$RT/dir.kvscope.json"
LONG=$(printf 'L%.0s' $(seq 1 240))
cp "$CORPUS/gguf/tiny.gguf" "$RT/$LONG.gguf"                         # 245-byte name
cp "$CORPUS/scn/valid.kvscope.json" "$RT/${LONG:0:232}.kvscope.json"   # 250-byte name
mkdir -p "$RT/with space" "$RT/with
newline"
cp "$CORPUS/gguf/tiny.gguf" "$RT/with space/tiny model.gguf"
cp "$CORPUS/gguf/tiny.gguf" "$RT/with
newline/tiny.gguf"
cp "$CORPUS/scn/valid.kvscope.json" "$RT/with space/my scenario.kvscope.json"
cp "$CORPUS/cfg/valid.json" "$RT/with
newline/config.json"
mkdir -p "$RT/l2c_link" && ln -s "$CORPUS/l2c/valid/model.bin" "$RT/l2c_link/model.bin"
yes 1,1 | head -n 100001 > "$RT/many_rows_100001.csv"
yes 1,1 | head -n 100000 > "$RT/many_rows_100000.csv"
{ head -c 100000 /dev/zero | tr '\0' '1'; echo ",1"; } > "$RT/long_line.csv"
head -c 100000 /dev/zero | tr '\0' 'a' > "$RT/long_line_100k.txt"
# A 17 MiB text: over the 16 MiB limit of --text and --prompts (sparse: no disk used).
truncate -s 17M "$RT/sparse_17m.txt"
# A GGUF whose size the header does not reach: 8 GiB sparse, the tiny header in front.
cp "$CORPUS/gguf/tiny.gguf" "$RT/sparse_8g.gguf" && truncate -s 8G "$RT/sparse_8g.gguf"
chmod 000 "$RT/fifo.txt" 2>/dev/null || true
cp "$CORPUS/cfg/valid.json" "$RT/unreadable.json" && chmod 000 "$RT/unreadable.json"

STAMP=$WORK/stamp
touch "$STAMP"
sleep 1   # mtime granularity: anything written by a case is newer than the stamp

pass=0; fail=0; skipped=0; lineno=0
fail_case() {
  echo "FAIL line $lineno: $1"
  echo "  case: $2"
  fail=$((fail + 1))
}

while IFS= read -r line || [ -n "$line" ]; do
  lineno=$((lineno + 1))
  case $line in ''|'#'*) continue ;; esac
  if [ -n "$ONLY" ] && [ "$ONLY" != "$lineno" ]; then continue; fi
  IFS=$'\t' read -r -a f <<< "$line"
  if [ ${#f[@]} -lt 3 ]; then fail_case "malformed case line" "$line"; continue; fi
  want=${f[0]}; frag=${f[1]}; bin=${f[2]}
  if [ "$bin" = gui ] || [ "$bin" = cligui ]; then
    if [ -z "$GUI" ]; then skipped=$((skipped + 1)); continue; fi
    exe=$GUI
    if [ "$bin" = cligui ]; then exe=$CLI; fi
  elif [ "$bin" = cli ]; then
    exe=$CLI
  else
    fail_case "unknown binary '$bin'" "$line"; continue
  fi
  scratch=$WORK/case
  rm -rf "$scratch"
  mkdir -p "$scratch/out" "$scratch/tmp" "$scratch/home"
  out=$scratch/out
  args=()
  expected=()
  for ((i = 3; i < ${#f[@]}; i++)); do
    a=${f[$i]}
    a=${a//\{F\}/$CORPUS}
    a=${a//\{OUT\}/$out}
    a=${a//\{RT\}/$RT}
    a=${a//\{ESC\}/$'\033'}
    a=${a//\{NL\}/$'\n'}
    a=${a//\{TAB\}/$'\t'}
    args+=("$a")
    # An argument naming a file under {OUT} (also inside csv:FILE) is an expected output.
    if [[ $a == *"$out/"* ]]; then expected+=("${a##*$out/}"); fi
  done
  # The binaries may be relinked under us (a build in progress): when one cannot be started
  # (126/127 from nice), wait and run the case again, for up to 2 minutes.
  for attempt in $(seq 1 60); do
  (
    cd "$scratch/out" || exit 99
    export TMPDIR=$scratch/tmp HOME=$scratch/home XDG_CONFIG_HOME=$scratch/home/.config \
           XDG_CACHE_HOME=$scratch/home/.cache XDG_RUNTIME_DIR=$scratch/home/run
    mkdir -p "$XDG_RUNTIME_DIR" && chmod 700 "$XDG_RUNTIME_DIR"
    if [ "$bin" = gui ]; then export QT_QPA_PLATFORM=offscreen; fi
    if [ -n "$ULIMIT_KB" ]; then ulimit -v "$ULIMIT_KB" || exit 98; fi
    exec timeout -k 2 30 nice "$exe" "${args[@]}" < /dev/null > "$scratch/stdout" 2> "$scratch/stderr"
  )
  rc=$?
  if { [ $rc -eq 126 ] || [ $rc -eq 127 ]; } && grep -q "^nice: " "$scratch/stderr"; then
    sleep 2; rm -rf "$out" "$scratch/tmp"; mkdir -p "$out" "$scratch/tmp"; continue
  fi
  break
  done
  if [ -n "$DUMP" ]; then
    mkdir -p "$DUMP"; echo $rc > "$DUMP/$lineno.rc"
    cp "$scratch/stderr" "$DUMP/$lineno.err"; cp "$scratch/stdout" "$DUMP/$lineno.out"; echo "$RT" > "$DUMP/rt"
  fi
  err=$(cat "$scratch/stderr"); outp=$(cat "$scratch/stdout")
  bad=""
  if [ $rc -eq 124 ] || [ $rc -eq 137 ]; then
    bad="hang: still running after 10 s"
  elif [ $rc -ge 128 ]; then
    bad="crash: killed by signal $((rc - 128))"
  elif [ -n "$ULIMIT_KB" ]; then
    if [ $rc -ne 0 ] && [ $rc -ne 2 ]; then bad="exit $rc under ulimit -v $ULIMIT_KB (want 0 or 2)"; fi
    if [[ $err == *"internal error"* ]]; then bad="${bad:+$bad; }'internal error' under ulimit -v $ULIMIT_KB"; fi
  else
    if [ "$rc" != "$want" ]; then bad="exit $rc, want $want"; fi
    if [ "$frag" != "-" ]; then
      if [ "$want" = 0 ]; then hay="$outp$err"; else hay="$err"; fi
      if [[ $hay != *"$frag"* ]]; then bad="${bad:+$bad; }message lacks '$frag'"; fi
    fi
  fi
  # Left-over files: in the scratch folder (besides the expected outputs), in TMPDIR, next to inputs.
  left=""
  while IFS= read -r -d '' p; do
    rel=${p#$out/}
    ok=0
    for e in "${expected[@]+"${expected[@]}"}"; do
      if [ "$rel" = "$e" ] || [[ $e == "$rel/"* ]]; then ok=1; fi
    done
    if [ $ok = 0 ] || [[ $(basename "$p") == .*.tmp-* ]]; then left="$left $rel"; fi
  done < <(find "$out" -mindepth 1 -print0)
  while IFS= read -r -d '' p; do left="$left TMPDIR:${p#$scratch/tmp/}"; done \
    < <(find "$scratch/tmp" -mindepth 1 -print0)
  while IFS= read -r -d '' p; do left="$left $p"; done \
    < <(find "$CORPUS" "$RT" -mindepth 1 -newer "$STAMP" ! -type p ! -type l -print0 2>/dev/null)
  if [ -n "$left" ]; then
    bad="${bad:+$bad; }left files behind:$left"
    # Clean up only the run-time folder; the corpus is never touched (report only).
    find "$RT" -mindepth 1 -newer "$STAMP" ! -type p ! -type l ! -type d -delete 2>/dev/null
    touch "$STAMP"
  fi
  if [ -n "$bad" ]; then
    fail_case "$bad" "$line"
    first=$(printf '%s' "$err" | grep -v -e XDG_RUNTIME_DIR -e propagateSizeHints | head -c 400)
    echo "  stderr: $first"
  else
    pass=$((pass + 1))
  fi
done < "$CASES"

if [ $skipped -gt 0 ]; then echo "skipped $skipped GUI cases (gui and cligui): no kvscope binary given"; fi
echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
