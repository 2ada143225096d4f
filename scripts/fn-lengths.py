#!/usr/bin/env python3
# The longest functions under a directory, by lines (tests left out):
#   python3 scripts/fn-lengths.py src 10
# Counts braces from each `fn` line, which is enough for this code base
# (rustfmt-formatted, no braces in strings that open a function).
import re,sys,os
res=[]
for root,_,files in os.walk(sys.argv[1]):
    for f in files:
        if not f.endswith('.rs') or f=='tests.rs': continue
        p=os.path.join(root,f)
        lines=open(p).read().split('\n')
        # skip test modules
        i=0
        while i<len(lines):
            l=lines[i]
            if re.match(r'\s*#\[cfg\(test\)\]',l):
                break
            m=re.match(r'\s*(pub(\([^)]*\))?\s+)?(async\s+)?fn\s+(\w+)',l)
            if m:
                depth=0;start=i;seen=False
                j=i
                while j<len(lines):
                    depth+=lines[j].count('{')-lines[j].count('}')
                    if lines[j].count('{'): seen=True
                    if seen and depth<=0: break
                    if not seen and lines[j].rstrip().endswith(';'): break
                    j+=1
                res.append((j-start+1,p,m.group(4)))
                i=j+1 if seen else i+1
                continue
            i+=1
res.sort(reverse=True)
for r in res[:int(sys.argv[2]) if len(sys.argv)>2 else 10]: print(*r)
