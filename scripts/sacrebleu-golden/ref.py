import json, sacrebleu
from sacrebleu.metrics import BLEU, CHRF, TER
cases = json.load(open("cases.json"))
out = []
for c in cases:
    hyps, streams = c["hyps"], c["streams"]
    r = {}
    for tok in ["13a","none","intl","char"]:
        b = BLEU(tokenize=tok).corpus_score(hyps, streams); r["bleu_"+tok] = b.score; r["bleuv_"+tok] = str(b)
    r["bleu_lc"] = BLEU(lowercase=True).corpus_score(hyps, streams).score
    r["sbleu"] = [BLEU(effective_order=True).sentence_score(h, [s[i] for s in streams]).score for i, h in enumerate(hyps)]
    r["chrf"] = CHRF().corpus_score(hyps, streams).score
    r["chrfpp"] = CHRF(word_order=2).corpus_score(hyps, streams).score
    r["ter"] = TER().corpus_score(hyps, streams).score
    r["tercs"] = TER(case_sensitive=True).corpus_score(hyps, streams).score
    out.append(r)
json.dump(out, open("ref.json","w"), ensure_ascii=False)
m=[BLEU(),CHRF(),TER(),CHRF(word_order=2),BLEU(lowercase=True, tokenize="intl")]
for x in m: x.corpus_score(["a b"],[["a c"]]); print(x.get_signature())
import sacrebleu.metrics.bleu as B
b=BLEU(); s=b.corpus_score(["The dog bit the man."],[["The dog bit the man."]]); print(s.format(signature=str(b.get_signature())))
