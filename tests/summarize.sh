#!/bin/bash
# summarize.sh RESULTS — prints the one closing line CI reads, and fails when a test failed.
results=$1
p=$(grep -c '^pass ' "$results" 2>/dev/null); p=${p:-0}
f=$(grep -c '^fail ' "$results" 2>/dev/null); f=${f:-0}
s=$(grep -c '^skip ' "$results" 2>/dev/null); s=${s:-0}
if [ "$f" -gt 0 ]; then
        echo "Failed:"; grep '^fail ' "$results" | sed 's/^fail /    /'
fi
echo "$p passed, $f failed, $s skipped"
[ "$f" -eq 0 ] && [ "$p" -gt 0 ]
