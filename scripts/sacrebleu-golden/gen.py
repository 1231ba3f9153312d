# Random-ish corpora to compare s2s metrics against sacreBLEU 2.6.0.
import json, random
random.seed(7)
vocab = ["the","The","dog","bit","man",".",",","a","cat","1,000.5","2-3","well-known","\"quoted\"","it's","(hi)","&amp;","&quot;","<skipped>","Ünïcödé","naïve","😀","—","-","x","y","z","1.","end.","U.S.","$5","100%","e-mail","'s","can't","é","ß","İstanbul","A","B","C","«a»","中文","字","tab\tsep","nbsp\u00a0x","a\u3000b","x\x1cy","foo\u2028bar","@","#tag","a/b","a:b"]
def sent(n): return " ".join(random.choice(vocab) for _ in range(n))
cases = []
for k in range(60):
    n = random.randint(1, 12)
    hyps = [sent(random.randint(0, 25)) for _ in range(n)]
    nref = random.randint(1, 3)
    streams = []
    for r in range(nref):
        s = []
        for i in range(n):
            # mostly perturbations of the hyp, so there are matches and shifts
            words = hyps[i].split(" ") if random.random() < 0.7 else sent(random.randint(1, 25)).split(" ")
            words = [w for w in words if random.random() > 0.2] + ([random.choice(vocab)] if random.random() < 0.5 else [])
            if random.random() < 0.3 and len(words) > 3:
                a = random.randint(0, len(words)-2); b = random.randint(a+1, len(words))
                blk = words[a:b]; del words[a:b]; p = random.randint(0, len(words)); words[p:p] = blk
            s.append(" ".join(words) if words else "x")
        streams.append(s)
    cases.append({"hyps": hyps, "streams": streams})
# long segments (200 words)
for k in range(3):
    h = sent(200).split(" "); r = list(h); random.shuffle(r[50:120]); r = r[:180] + ["z"]*5
    cases.append({"hyps": [" ".join(h)], "streams": [[" ".join(r)]]})
json.dump(cases, open("cases.json","w"), ensure_ascii=False)
