#!/usr/bin/env python3
"""Where a JFR recording's CPU samples are: the share of samples in each method, on top of the
stack ("self") and anywhere in it ("inclusive"). The profiles quoted in BENCHMARKS.md (issue 18).

  java -Xmn512m -XX:StartFlightRecording=filename=w2.jfr,settings=profile \\
      -cp "cli/target/migaudit-cli.jar:cli/target/lib/*" tools/bench/WorkerPasses.java \\
      target/bench/migration-2M-snap128.pcap 2 10
  jfr print --events jdk.ExecutionSample --stack-depth 64 w2.jfr > w2.txt
  tools/bench/jfr_top.py w2.txt [ROWS]
"""
import collections
import re
import sys


def main():
    rows = int(sys.argv[2]) if len(sys.argv) > 2 else 30
    own = collections.Counter()
    anywhere = collections.Counter()
    samples = 0
    stack = []
    with open(sys.argv[1]) as f:
        for line in f:
            line = line.rstrip()
            if line.startswith('jdk.ExecutionSample'):
                stack = []
                continue
            frame = re.match(r'\s+([\w.$<>]+)\(.*line:', line)
            if frame:
                stack.append(frame.group(1))
            elif line.strip() in (']', '}') and stack:
                samples += 1
                own[stack[0]] += 1
                for method in set(stack):
                    anywhere[method] += 1
                stack = []
    print('samples', samples)
    for title, counts in (('self', own), ('inclusive', anywhere)):
        print('---', title)
        for method, n in counts.most_common(rows):
            print(f'{100 * n / samples:5.1f}% {method}')


if __name__ == '__main__':
    main()
