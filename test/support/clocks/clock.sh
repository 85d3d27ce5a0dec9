#!/bin/sh
# A shell loop under time.skew: prints `sleep EPOCH_MS` from date(1) after each sleep(1). Ends after 120 s.
echo listening
i=0
while [ "$i" -lt 1200 ]; do
  sleep 0.1
  echo "sleep $(date +%s%3N)"
  i=$((i + 1))
done
