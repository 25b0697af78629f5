#!/usr/bin/env python3
"""Fits the polynomial coefficients of assembly/transcendental.ts (needs mpmath and numpy).

  python3 scripts/fit-transcendental.py > /tmp/coeffs.ts   # then paste into transcendental.ts

Each fit is near-minimax in *relative* error: least squares at Chebyshev nodes (mpmath, 40 digits)
reweighted by Lawson's iteration; the reported error is measured by evaluating the float64-rounded
coefficients with float64 Horner (the kernels use Estrin's scheme: the same polynomial, other
roundings at the 1e-16 level) against mpmath on a dense grid. The float32
contract (<= 1 ulp from the rounded float64 reference) holds when the total relative error of the
float64 computation is below 2^-25 ~ 3e-8; every fit here is far below that.

  2^f               ~ 1 + f·P5(f),  |f| <= 1/2                   (range reduction 2^u = 2^k 2^f)
  atanh(s)/s        ~ L5(s^2), s in [0, 1/3]                 (log1p(u) = 2 atanh(u/(2+u)), u in [0,1])
  R(a) = e^(a^2/2) Phi(-a)          ~ PR(t),  t = 1/(1 + P a), a in [0, A]
  H(a) = (R(a) - a/sqrt(2 pi))/(a - a0) ~ PH(t)  (a0: the root, gelu'(-a0) = 0)
"""
import mpmath as mp
import numpy as np

mp.mp.dps = 40


def fit(f, lo, hi, deg, nodes=200, iters=10):
    xs = [(lo + hi) / 2 + (hi - lo) / 2 * mp.cos(mp.pi * (i + mp.mpf(0.5)) / nodes) for i in range(nodes)]
    ys = [f(x) for x in xs]
    w = [mp.mpf(1)] * nodes
    c = None
    for _ in range(iters):
        A = mp.matrix(nodes, deg + 1)
        b = mp.matrix(nodes, 1)
        for i, x in enumerate(xs):
            s = mp.sqrt(w[i]) / abs(ys[i])
            p = mp.mpf(1)
            for j in range(deg + 1):
                A[i, j] = p * s
                p *= x
            b[i] = ys[i] * s
        c = mp.qr_solve(A, b)[0]
        errs = [abs(mp.polyval([c[j] for j in range(deg, -1, -1)], x) - ys[i]) / abs(ys[i]) for i, x in enumerate(xs)]
        tot = sum(w[i] * errs[i] for i in range(nodes))
        w = [w[i] * errs[i] / tot for i in range(nodes)]
    return [float(c[j]) for j in range(deg + 1)]


def check(f, cs, lo, hi, n=6000):
    xs = np.linspace(lo, hi, n)
    v = np.zeros(n) + cs[-1]
    for c in cs[-2::-1]:
        v = v * xs + c
    ref = np.array([float(f(mp.mpf(float(x)))) for x in xs])
    return float(np.max(np.abs(v - ref) / np.abs(ref)))


def emit(name, cs, err, note):
    print(f'// {note}: max relative error {err:.2e}')
    for i, c in enumerate(cs):
        print(f'const {name}{i}: f64 = {c!r};')
    print()


HALF = 0.5 * 1.0005
exp2 = lambda f: mp.power(2, f)
# 2^f = 1 + f·q(f): the constant term is exactly 1, so 2^u is exactly 1 for |u| < 2^-54 and σ(tiny)
# is exactly ½ as in the reference (ties of subnormal results then round the same way).
q = lambda f: (mp.power(2, f) - 1) / f if f != 0 else mp.log(2)
cs = [1.0] + fit(q, -HALF, HALF, 5, nodes=120)
emit('E', cs, check(exp2, cs, -HALF, HALF), '2^f on |f| <= 1/2, constant term 1')


def atanh_over(w):
    if w == 0:
        return mp.mpf(1)
    s = mp.sqrt(w)
    return mp.atanh(s) / s


cs = fit(atanh_over, mp.mpf(0), mp.mpf(1) / 9, 5, nodes=120)
emit('L', cs, check(atanh_over, cs, 0.0, 1 / 9), 'atanh(s)/s in w = s^2 on [0, 1/9]')

P = mp.mpf('0.25')
AMAX = mp.mpf('20.75')
C = 1 / mp.sqrt(2 * mp.pi)


def R_of_a(a):
    return mp.exp(a * a / 2) * mp.erfc(a / mp.sqrt(2)) / 2


a0 = mp.findroot(lambda a: R_of_a(a) - a * C, 0.75)
a0hi = float(a0)
a0lo = float(a0 - mp.mpf(a0hi))
print(f'const GELU_P: f64 = {float(P)!r}; // t = 1/(1 + GELU_P·|x|)')
print(f'const A0_HI: f64 = {a0hi!r}; // a0 = -(root of gelu′), split in two doubles')
print(f'const A0_LO: f64 = {a0lo!r};')
print()


def in_t(g):
    return lambda t: g((1 / t - 1) / P)


t0 = 1 / (1 + P * AMAX)
fR = in_t(R_of_a)
cs = fit(fR, t0, mp.mpf(1), 11)
emit('R', cs, check(fR, cs, float(t0), 1.0), f'e^(a²/2)·Φ(−a) in t, a in [0, {float(AMAX)}]')


def H_of_a(a):
    return (R_of_a(a) - a * C) / (a - a0)


fH = in_t(H_of_a)
cs = fit(fH, t0, mp.mpf(1), 11)
emit('H', cs, check(fH, cs, float(t0), 1.0), f'(R(a) − a·φ(0))/(a − a0) in t, a in [0, {float(AMAX)}]')
