/* Naive attention for bench/attention/driver.c (naive.c). */
#ifndef ATTNC_BENCH_ATTENTION_NAIVE_H
#define ATTNC_BENCH_ATTENTION_NAIVE_H

/* o = softmax(q k^T / sqrt(d) [causal mask]) v for q, k, v, o : f32[n, d]. */
void naive_attention(int n, int d, int causal, const float *q, const float *k,
                     const float *v, float *o);

#endif
