// Shared pieces of kernel source text. gpu.js threads are width-first: `this.thread.x` walks the
// columns of the output and `this.thread.y` its rows, so element [i][j] of a tensor is `t[i][j]`
// with i = this.thread.y, j = this.thread.x.

/** The output row of the running thread. */
export const ROW = "this.thread.y";
/** The output column of the running thread. */
export const COL = "this.thread.x";
