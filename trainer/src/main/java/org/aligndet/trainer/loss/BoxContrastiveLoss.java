package org.aligndet.trainer.loss;

import org.aligndet.bridge.tensor.SparseEntries;
import org.aligndet.bridge.torch.Scalars;
import org.aligndet.bridge.torch.GradMode;
import org.aligndet.bridge.torch.NdTensors;
import org.aligndet.bridge.torch.Products;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.Arrays;
import java.util.stream.IntStream;

/**
 * AlignDet's box-level contrastive loss (InfoNCE between two views, per proposal id).
 *
 * <p>For each distinct id {@code >= 0} among the online boxes:
 * <ul>
 *   <li>queries: the online embeddings with that id, {@code [m, D]};</li>
 *   <li>keys: the momentum embeddings with that id, {@code [n, D]}, or the queries themselves if the
 *       momentum side has none;</li>
 *   <li>negatives: every other online and momentum embedding (other ids and background, ids {@code < 0}),
 *       {@code [k, D]}, detached;</li>
 *   <li>all rows L2-normalised; for every (key, query) pair the logits are
 *       {@code [key·query, neg_1·query, …, neg_k·query] / τ}, cross-entropy with the positive at 0,
 *       averaged over the {@code n*m} pairs.</li>
 * </ul>
 * The result is the mean over ids; with no id it is a zero still attached to {@code q}'s graph.
 *
 * <p>Intermediate arrays attach to {@code q}'s manager: call it inside an {@code NDScope} or a
 * sub-manager that the training step closes.
 */
public final class BoxContrastiveLoss {
    /** Lower bound on a row's norm when normalising (torch's {@code F.normalize} eps). */
    public static final float NORM_EPS = 1e-12f;

    /** Entries of the logit matrix worked on at once: 4M floats, 16 MB per matrix. */
    static final long BLOCK_ENTRIES = 1L << 22;

    private final float temperature;
    private final int blockRows;

    /** @param temperature τ, AlignDet: 0.5 */
    public BoxContrastiveLoss(double temperature) {
        this(temperature, 0);
    }

    /** @param blockRows query rows per block of the logit matrix; 0: as many as {@link #BLOCK_ENTRIES} allows */
    BoxContrastiveLoss(double temperature, int blockRows) {
        if (!(temperature > 0)) {
            throw new IllegalArgumentException("temperature must be positive, got " + temperature);
        }
        this.temperature = (float) temperature;
        this.blockRows = blockRows;
    }

    /**
     * The loss, computed for all ids at once: a fixed number of array operations however many ids there
     * are. Equal to {@link #computePerId} (which reads as the definition) up to float rounding; needs
     * {@code τ >= 0.025} so that {@code exp(-2/τ)} stays a normal float.
     *
     * <p>The one large array is the logit matrix {@code [R, M + N]} of the query rows that carry an id
     * against every embedding (a background query has no positive and adds nothing, so it is left
     * out: same values, same gradients): its exponentials summed over the negatives give each row's
     * denominator, and its entries at the momentum keys of the row's id are the positives. It is
     * worked through a block of rows at a time outside autograd ({@link #matrixPart}), which forms
     * the loss's gradient with respect to the query rows there ({@link KnownGradient}). Positives from the online view itself (an id without momentum keys) are
     * row-wise products of gathered rows, under autograd. {@code 1/τ} is folded into the query rows.
     *
     * @param q     online embeddings {@code [M, D]}, with gradient
     * @param qIds  {@code M} ids: proposal ids {@code >= 0}, background {@code < 0}
     * @param k     momentum embeddings {@code [N, D]}; no gradient reaches them (stop-gradient)
     * @param kIds  {@code N} ids, as {@code qIds}
     * @return a scalar
     */
    public NDArray compute(NDArray q, long[] qIds, NDArray k, long[] kIds) {
        check(q, qIds, "q");
        check(k, kIds, "k");
        IdGroups m = IdGroups.of(qIds), n = IdGroups.of(kIds);
        int ids = m.groups();
        if (ids == 0) {
            return Scalars.mul(q.sum(), 0f);
        }
        int[] rows = IntStream.range(0, qIds.length).filter(i -> qIds[i] >= 0).toArray();
        long[] rowIds = new long[rows.length];
        for (int r = 0; r < rows.length; r++) {
            rowIds[r] = qIds[rows[r]];
        }
        // positive pairs: (row r, momentum key j) of the same id, weight 1 / (n m U); or, for an id the
        // momentum side lacks, (row r, query row j) of its own view, weight 1 / (m m U)
        IdGroups rowsOf = IdGroups.of(rowIds);
        int[] keyPositions = n.positions(), rowPositions = rowsOf.positions();
        int momentumCount = 0, ownCount = 0; // counted first: the pair lists are made at their size
        for (long id : rowIds) {
            int key = n.group(id);
            if (key >= 0) {
                momentumCount += n.end(key) - n.start(key);
            } else {
                ownCount += rowsOf.count(id);
            }
        }
        SparseEntries momentumPairs = new SparseEntries(momentumCount);
        SparseEntries ownPairs = new SparseEntries(ownCount);
        for (int r = 0; r < rows.length; r++) {
            long id = rowIds[r];
            int mu = m.count(id), key = n.group(id);
            if (key >= 0) {
                float w = 1f / ((float) (n.end(key) - n.start(key)) * mu * ids);
                for (int e = n.start(key); e < n.end(key); e++) {
                    momentumPairs.add(r, keyPositions[e], w);
                }
            } else {
                float w = 1f / ((float) mu * mu * ids);
                int own = rowsOf.group(id);
                for (int e = rowsOf.start(own); e < rowsOf.end(own); e++) {
                    ownPairs.add(r, rowPositions[e], w);
                }
            }
        }
        NDManager mgr = q.getManager();
        NDArray qn = normalize(q); // q: [M, D]
        NDArray kn = kIds.length == 0 ? null : normalize(k); // k: [N, D]
        NDArray all = (kn == null ? qn : qn.concat(kn, 0)).stopGradient(); // [M + N, D], detached
        NDArray qr = rows.length == qIds.length ? qn : rows(qn, rows); // the query rows with an id: [R, D]
        NDArray qt = Scalars.div(qr, temperature); // logits come out divided by τ
        // own-view pairs (an id without momentum keys): their shifted logits l - c keep their gradient on both
        // sides (autograd); the matrix part needs their values for its row weights
        NDArray ownRows = null, ownPos = null;
        float[] ownPosValues = new float[0];
        if (ownPairs.size() > 0) {
            ownRows = NdTensors.ownedIndex(mgr, ownPairs.rows());
            NDArray ownCols = NdTensors.ownedIndex(mgr, ownPairs.cols());
            ownPos = Scalars.sub(qt.get(ownRows).mul(qr.get(ownCols)).sum(new int[] {1}), 1f / temperature);
            ownPosValues = ownPos.toFloatArray();
        }
        MatrixPart part = matrixPart(qt, all, rowIds, m, qIds.length, n, kIds.length, momentumPairs, ownPairs, ownPosValues);
        NDArray loss = KnownGradient.term(qt, part.value(), part.gradient());
        if (ownPos != null) {
            // each row's negative sum enters as a constant: its gradient is in the matrix part's row weights
            NDArray negSum = NdTensors.floats(mgr, part.negSums(), new Shape(part.negSums().length)).get(ownRows);
            NDArray weights = NdTensors.floats(mgr, ownPairs.values(), new Shape(ownPairs.size()));
            loss = loss.add(ownPos.exp().add(negSum).log().sub(ownPos).mul(weights).sum());
        }
        return loss;
    }

    /**
     * {@link #matrixPart}: the loss of the momentum pairs, the gradient of the whole loss with respect
     * to {@code qt} through the logit matrix ({@code [R, D]}, no history), and each row's sum of
     * {@code exp(l - c)} over the columns of other ids.
     */
    private record MatrixPart(NDArray value, NDArray gradient, float[] negSums) {
    }

    /**
     * The logit matrix {@code l = qt · all} ({@code [R, M + N]}, 134 MB at R50: 4096 rows by 8192
     * columns), worked through in blocks of rows without autograd, each block's matrices closed as
     * soon as the block is done: nothing of it is kept for backward. With {@code c = 1/τ} (logits are
     * at most {@code c} for unit rows, so nothing overflows), per row {@code r}:
     * <ul>
     *   <li>{@code S_r = Σ exp(l_rc - c)} over the columns {@code c} of other ids;</li>
     *   <li>per pair {@code p = (r, j)} of weight {@code w}: {@code ℓ_p = w (log(e^{pos} + S_r) - pos)},
     *       {@code pos = l - c};</li>
     *   <li>the gradient: {@code ∂ℓ/∂l_rc = β_r exp(l_rc - c)} on a column of another id, with
     *       {@code β_r = Σ_p w / (e^{pos} + S_r)} over the row's pairs (own pairs included), and
     *       {@code w (σ_p - 1)}, {@code σ_p = e^{pos} / (e^{pos} + S_r)}, on a momentum pair's column;
     *       {@code ∂/∂qt_r = Σ_c ∂ℓ/∂l_rc · all_c}, one {@code [b, M + N] x [M + N, D]} product per block.</li>
     * </ul>
     * Both products are {@link Products}' (oneDNN's convolution on the CPU, 1.3–2.2× MKL's matmul on
     * these shapes), the first with {@code -c} added as it is formed.
     * Autograd would keep every block's exponentials and masks (170 MB at R50) until backward and
     * run three more passes over them there; here the one product is made in the forward instead.
     * The momentum pairs' loss values are summed in double precision on the host.
     *
     * @param pairs  momentum pairs {@code (row r, key j)}, rows ascending; column {@code M + j}
     * @param own    own-view pairs {@code (row r, query row j)}, rows ascending; their values and
     *               gradients are autograd's (see {@link #compute}), only their share of {@code β} is here
     * @param ownPos the own pairs' {@code l - c}
     */
    private MatrixPart matrixPart(NDArray qt, NDArray all, long[] rowIds, IdGroups qGroups, int queries, IdGroups kGroups,
                                  int keys, SparseEntries pairs, SparseEntries own, float[] ownPos) {
        NDManager mgr = qt.getManager();
        int r = rowIds.length;
        int offset = queries;
        long cols = (long) queries + keys;
        int block = blockRows > 0 ? blockRows : (int) Math.max(1, Math.min(r, BLOCK_ENTRIES / cols));
        int blocks = (r + block - 1) / block;
        float c = 1f / temperature;
        // every column of a row's id: its query columns, then its keys' at offset + j
        int[] qPositions = qGroups.positions(), kPositions = kGroups.positions();
        int[] rowQ = new int[r], rowK = new int[r]; // per row: its id's group on each side (-1: none)
        for (int row = 0; row < r; row++) {
            rowQ[row] = qGroups.group(rowIds[row]);
            rowK[row] = kGroups.group(rowIds[row]);
        }
        long[] pairRows = pairs.rows();
        long[] pairCols = pairs.cols();
        float[] pairW = pairs.values();
        long[] ownRows = own.rows();
        float[] ownW = own.values();
        // everything the blocks index by is made before the first block, so that the loop is libtorch
        // calls and short host loops (Java work between the calls slowed the blocks' operations on two threads)
        NDArray[] pairIndex = new NDArray[blocks];
        NDIndex[] pairEntries = new NDIndex[blocks];
        NDIndex[] sameEntries = new NDIndex[blocks];
        int[] pairStart = new int[blocks + 1];
        int[] ownStart = new int[blocks + 1];
        long[] cells = new long[0]; // flat positions of cells in one block's logit matrix: its pairs', then its own ids'; reused
        for (int i = 0, p = 0, o = 0; i < blocks; i++) {
            int a = i * block, b = Math.min(r, a + block);
            pairStart[i] = p;
            while (p < pairRows.length && pairRows[p] < b) {
                p++;
            }
            pairStart[i + 1] = p;
            ownStart[i] = o;
            while (o < ownRows.length && ownRows[o] < b) {
                o++;
            }
            ownStart[i + 1] = o;
            if (p > pairStart[i]) {
                int k = p - pairStart[i];
                if (cells.length < k) {
                    cells = new long[Math.max(k, 2 * cells.length)];
                }
                for (int j = 0; j < k; j++) {
                    cells[j] = (pairRows[pairStart[i] + j] - a) * cols + offset + pairCols[pairStart[i] + j];
                }
                pairIndex[i] = NdTensors.ownedIndex(mgr, cells, k);
                pairEntries[i] = new NDIndex("{}", pairIndex[i]);
            }
            int n = 0;
            for (int row = a; row < b; row++) {
                n += qGroups.end(rowQ[row]) - qGroups.start(rowQ[row]);
                n += rowK[row] < 0 ? 0 : kGroups.end(rowK[row]) - kGroups.start(rowK[row]);
            }
            if (cells.length < n) {
                cells = new long[Math.max(n, 2 * cells.length)];
            }
            n = 0; // the block's entries of its rows' own ids (never negatives)
            for (int row = a; row < b; row++) {
                long base = (long) (row - a) * cols;
                for (int e = qGroups.start(rowQ[row]); e < qGroups.end(rowQ[row]); e++) {
                    cells[n++] = base + qPositions[e];
                }
                if (rowK[row] >= 0) {
                    for (int e = kGroups.start(rowK[row]); e < kGroups.end(rowK[row]); e++) {
                        cells[n++] = base + offset + kPositions[e];
                    }
                }
            }
            sameEntries[i] = new NDIndex("{}", NdTensors.ownedIndex(mgr, cells, n));
        }
        float[] negSums = new float[r];
        double value = 0;
        NDList grads = new NDList();
        try (GradMode off = GradMode.off(); NDArray allT = all.transpose();
             Products.Right byColumns = Products.right(allT); Products.Right byRows = Products.right(all)) {
            for (int i = 0; i < blocks; i++) {
                int a = i * block, b = Math.min(r, a + block);
                float[] pos; // the pairs' l - c
                NDArray g;
                try (NDArray rowsBlock = blocks == 1 ? null : qt.get(new NDIndex().addSliceDim(a, b));
                     NDArray shifted = Products.times(rowsBlock == null ? qt : rowsBlock, byColumns, -c); // l - c
                     NDArray flatShifted = shifted.reshape(-1)) {
                    pos = new float[0];
                    if (pairIndex[i] != null) {
                        try (NDArray gathered = flatShifted.get(pairIndex[i])) {
                            pos = gathered.toFloatArray();
                        }
                    }
                    g = shifted.exp();
                }
                try (NDArray e = g; NDArray flat = e.reshape(-1)) {
                    flat.set(sameEntries[i], 0f); // only other ids' columns count
                    float[] sums;
                    try (NDArray rowSums = e.sum(new int[] {1})) {
                        sums = rowSums.toFloatArray();
                    }
                    System.arraycopy(sums, 0, negSums, a, b - a);
                    double[] beta = new double[b - a];
                    float[] coef = new float[pos.length];
                    for (int k = 0, p = pairStart[i]; p < pairStart[i + 1]; k++, p++) {
                        int row = (int) pairRows[p] - a;
                        double lp = pos[k], ep = Math.exp(lp), d = ep + sums[row];
                        value += pairW[p] * (Math.log(d) - lp);
                        beta[row] += pairW[p] / d;
                        coef[k] = (float) (pairW[p] * (ep / d - 1));
                    }
                    for (int o = ownStart[i]; o < ownStart[i + 1]; o++) {
                        int row = (int) ownRows[o] - a;
                        beta[row] += ownW[o] / (Math.exp(ownPos[o]) + sums[row]);
                    }
                    float[] betaF = new float[beta.length];
                    for (int k = 0; k < beta.length; k++) {
                        betaF[k] = (float) beta[k];
                    }
                    try (NDArray rowWeights = NdTensors.floats(mgr, betaF, new Shape(b - a, 1))) {
                        e.muli(rowWeights); // ∂ℓ/∂l on other ids' columns; 0 on the row's own id
                    }
                    if (pairIndex[i] != null) {
                        try (NDArray pairGrad = NdTensors.floats(mgr, coef, new Shape(coef.length))) {
                            flat.set(pairEntries[i], pairGrad); // the momentum pairs' columns
                        }
                    }
                    grads.add(Products.times(e, byRows, 0f)); // [b - a, D]
                }
            }
        }
        NDArray gradient = grads.size() == 1 ? grads.get(0) : NDArrays.concat(grads, 0);
        if (grads.size() > 1) {
            grads.close();
        }
        return new MatrixPart(Scalars.of(qt, (float) value), gradient, negSums);
    }

    /**
     * The loss id by id, as AlignDet writes it: for each id, logits {@code (n*m, 1+k)} and cross-entropy
     * at index 0. Same contract as {@link #compute}, but it gathers the negatives again for every id: on
     * 2048 + 2048 boxes of 256-d with 200 ids it took about 20 s against 0.7 s for {@link #compute}
     * (CPU, two threads). For reading and for tests.
     */
    public NDArray computePerId(NDArray q, long[] qIds, NDArray k, long[] kIds) {
        check(q, qIds, "q");
        check(k, kIds, "k");
        long[] ids = Arrays.stream(qIds).filter(i -> i >= 0).distinct().sorted().toArray();
        if (ids.length == 0) {
            return Scalars.mul(q.sum(), 0f);
        }
        NDArray qn = normalize(q); // q: [M, D]
        NDArray kn = kIds.length == 0 ? null : normalize(k); // k: [N, D]
        NDArray total = null;
        for (long id : ids) {
            NDArray query = rows(qn, select(qIds, id, true)); // [m, D]
            int[] keyRows = select(kIds, id, true);
            NDArray key = keyRows.length > 0 ? rows(kn, keyRows) : query; // [n, D]
            NDArray neg = negatives(qn, qIds, kn, kIds, id); // [k, D], detached, or null
            long n = key.getShape().get(0), m = query.getShape().get(0);
            NDArray logits = key.matMul(query.transpose()).expandDims(2); // l_pos: [n, m, 1]
            if (neg != null) {
                NDArray lNeg = query.matMul(neg.transpose()).expandDims(0); // [1, m, k]
                lNeg = lNeg.broadcast(n, m, neg.getShape().get(0)); // [n, m, k]
                logits = logits.concat(lNeg, 2); // [n, m, 1 + k]
            }
            NDArray loss = Scalars.div(logits, temperature).logSoftmax(2).get(":, :, 0").mean().neg();
            total = total == null ? loss : total.add(loss);
        }
        return Scalars.div(total, (float) ids.length);
    }

    /**
     * How well the embeddings find their own proposal across the two views, for logging.
     *
     * @param top1           share of online queries (ids {@code >= 0} that have a momentum key of their id)
     *                       whose most similar momentum embedding has their id
     * @param positiveCosine mean cosine of (query, momentum embedding) pairs of the same id
     * @param negativeCosine mean cosine of (query, momentum embedding) pairs of different ids, background included
     */
    public record Diagnostics(double top1, double positiveCosine, double negativeCosine) {
    }

    /** {@link Diagnostics} of q {@code [M, D]} against k {@code [N, D]}, without gradient; NaN where undefined. */
    public static Diagnostics diagnose(NDArray q, long[] qIds, NDArray k, long[] kIds) {
        check(q, qIds, "q");
        check(k, kIds, "k");
        int[] queries = IntStream.range(0, qIds.length).filter(i -> qIds[i] >= 0).toArray();
        if (queries.length == 0 || kIds.length == 0) {
            return new Diagnostics(Double.NaN, Double.NaN, Double.NaN);
        }
        try (GradMode off = GradMode.off(); NDManager scope = q.getManager().newSubManager()) {
            long[] sel = Arrays.stream(queries).asLongStream().toArray();
            NDArray qn = normalize(q.get(scope.create(sel))); // [P, D]
            NDArray sim = qn.matMul(normalize(k).transpose()); // [P, N]
            long[] qSel = Arrays.stream(queries).mapToLong(i -> qIds[i]).toArray();
            NDArray same = scope.create(qSel).reshape(qSel.length, 1).eq(scope.create(kIds).reshape(1, kIds.length))
                    .toType(DataType.FLOAT32, false); // [P, N]
            double nSame = same.sum().getFloat();
            double nOther = (double) qSel.length * kIds.length - nSame;
            double pos = nSame == 0 ? Double.NaN : sim.mul(same).sum().getFloat() / nSame;
            double neg = nOther == 0 ? Double.NaN : sim.mul(Scalars.add(same.neg(), 1f)).sum().getFloat() / nOther;
            long[] best = sim.argMax(1).toLongArray();
            float[] hasKey = same.sum(new int[] {1}).toFloatArray();
            int asked = 0;
            int right = 0;
            for (int i = 0; i < best.length; i++) {
                if (hasKey[i] > 0) {
                    asked++;
                    right += kIds[(int) best[i]] == qSel[i] ? 1 : 0;
                }
            }
            return new Diagnostics(asked == 0 ? Double.NaN : (double) right / asked, pos, neg);
        }
    }

    /** Rows of the other ids (background included) from both sides, with the gradient stopped; null if none. */
    private static NDArray negatives(NDArray qn, long[] qIds, NDArray kn, long[] kIds, long id) {
        NDList parts = new NDList();
        int[] qRows = select(qIds, id, false);
        if (qRows.length > 0) {
            parts.add(rows(qn, qRows).stopGradient());
        }
        int[] kRows = select(kIds, id, false);
        if (kRows.length > 0) {
            parts.add(rows(kn, kRows).stopGradient());
        }
        if (parts.isEmpty()) {
            return null;
        }
        return parts.size() == 1 ? parts.get(0) : NDArrays.concat(parts, 0);
    }

    /** Each row divided by {@code max(||row||, NORM_EPS)}. */
    static NDArray normalize(NDArray x) {
        return x.div(Scalars.maximum(x.norm(new int[] {1}, true), NORM_EPS));
    }

    private static NDArray rows(NDArray x, int[] idx) {
        NDManager mgr = x.getManager();
        return x.get(mgr.create(Arrays.stream(idx).asLongStream().toArray()));
    }

    private static int[] select(long[] ids, long id, boolean equal) {
        return IntStream.range(0, ids.length).filter(i -> (ids[i] == id) == equal).toArray();
    }

    private static void check(NDArray x, long[] ids, String name) {
        if (x.getShape().dimension() != 2 || x.getShape().get(0) != ids.length) {
            throw new IllegalArgumentException(name + " must be [" + ids.length + ", D] to match its ids, got " + x.getShape());
        }
    }
}
