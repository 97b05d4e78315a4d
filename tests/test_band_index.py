"""The compact band index finds exactly the candidates datasketch's MinHashLSH finds."""

from __future__ import annotations

import datasketch
import numpy as np
import pytest

from cleaner.band_index import BandIndex


@pytest.mark.parametrize("bands,rows", [(64, 2), (32, 4), (128, 1), (10, 3)])
def test_same_candidates_as_datasketch(bands, rows):
    rng = np.random.default_rng(bands * rows)
    num_perm = 128
    base = rng.integers(0, 8, size=(150, num_perm), dtype=np.uint64).astype(
        np.uint32
    )  # small values: collisions
    sigs = {f"d{i:03d}": base[i] for i in range(150)}
    ref = datasketch.MinHashLSH(num_perm=num_perm, params=(bands, rows))
    index = BandIndex(bands, rows)
    bulk = BandIndex(bands, rows)  # all at once, in two parts with a query (a rebuild) between
    for key, hv in sigs.items():
        ref.insert(key, datasketch.LeanMinHash(seed=1, hashvalues=hv, scheme="affine32"))
        index.insert(key, hv)
    bulk.insert_many(list(sigs)[:60], base[:60])
    bulk.query(base[0])
    bulk.insert_many(list(sigs)[60:], base[60:])
    probes = [*sigs.values(), rng.integers(0, 8, size=num_perm, dtype=np.uint64).astype(np.uint32)]
    nonempty = 0
    for hv in probes:
        expected = set(ref.query(datasketch.LeanMinHash(seed=1, hashvalues=hv, scheme="affine32")))
        assert index.query(hv) == expected and bulk.query(hv) == expected
        nonempty += len(expected) > 1
    assert nonempty  # the test data has shared bands to find
    # the lookups of many probes at once, in chunks smaller than the input, give each one's answer
    each = list(bulk.query_ids_each(np.stack(probes), chunk=7))
    assert len(each) == len(probes)
    keys = list(sigs)
    for hv, ids in zip(probes, each, strict=True):
        assert {keys[i] for i in ids.tolist()} == bulk.query(hv)
    # and as (probe, document) pairs, each once, in probe order
    at_probe, at_doc = bulk.query_pairs(np.stack(probes))
    pairs = list(zip(at_probe.tolist(), at_doc.tolist(), strict=True))
    assert pairs == sorted(set(pairs))
    expected = [(p, i) for p, hv in enumerate(probes) for i in sorted(keys.index(k) for k in bulk.query(hv))]
    assert pairs == expected


def test_insert_after_query_is_seen():
    index = BandIndex(2, 2)
    a = np.array([1, 2, 3, 4], dtype=np.uint32)
    index.insert("a", a)
    assert index.query(a) == {"a"}
    index.insert("b", np.array([1, 2, 5, 6], dtype=np.uint32))
    assert index.query(a) == {"a", "b"}
    assert BandIndex(2, 2).query(a) == set()
