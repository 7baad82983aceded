from mpmath import mp, mpf, erfc, exp, cos, pi, sqrt
import random, json, sys
mp.prec = 160
def cheb_fit(fn, a, b, n):
    N = n + 1
    nodes = [cos(pi*(k+mpf(1)/2)/N) for k in range(N)]
    vals = [fn((b-a)/2*t + (a+b)/2) for t in nodes]
    c = [2*sum(vals[k]*cos(pi*j*(k+mpf(1)/2)/N) for k in range(N))/N for j in range(N)]
    c[0] /= 2
    T = [[mpf(1)], [mpf(0), mpf(1)]]
    for j in range(2, N):
        t = [mpf(0)] + [2*v for v in T[j-1]]
        for i, v in enumerate(T[j-2]): t[i] -= v
        T.append(t)
    mono = [mpf(0)]*N
    for j in range(N):
        for i, v in enumerate(T[j]): mono[i] += c[j]*v
    return c, mono
def two_sum(a, b):
    s = a+b; bb = s-a; return s, (a-(s-bb))+(b-bb)
def evalg(md, c0lo, t):
    acc = md[-1]
    for ci in reversed(md[1:-1]): acc = ci + t*acc
    s, e = two_sum(md[0], t*acc)
    return mpf(s) + mpf(e + c0lo)
g = lambda x: erfc(x)*exp(x*x)
H = lambda w: (1/sqrt(w))*g(1/sqrt(w))
out = []
# spec: kind, a, b, n   kind 'x' fits g in x; 'w' fits H in w=1/x^2 over x in [a,b]
for spec in sys.argv[1:]:
    kind, a, b, n = spec.split(':'); a = float(a); b = float(b); n = int(n)
    if kind == 'x':
        lo, hi, fn = a, b, g
    else:
        lo, hi, fn = 1/(b*b), 1/(a*a), H
    c, mono = cheb_fit(fn, mpf(lo), mpf(hi), n)
    if kind == 'x':
        h = (mpf(b)-mpf(a))/2
        mono = [m/h**i for i, m in enumerate(mono)]
    md = [float(v) for v in mono]; c0lo = float(mono[0] - mpf(md[0]))
    random.seed(3); worst = 0
    for _ in range(2000):
        x = random.uniform(a, b)
        v = x if kind == 'x' else 1/(x*x)
        t = (v - (a+b)/2) if kind == 'x' else (2*v - (lo+hi))/(hi-lo)
        got = evalg(md, c0lo, t); want = fn(v)
        worst = max(worst, float(abs((got-want)/want))*2**53)
    print(spec, "err", round(worst, 3), "last", float(c[-1]/c[0]))
    out.append(dict(kind=kind, a=a, b=b, lo=lo, hi=hi, mono=md, c0lo=c0lo))
json.dump(out, open('/tmp/fit/erfc2.json', 'w'))
# diagnostics: exact-poly error on the x intervals
