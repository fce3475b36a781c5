"""LSH banding of MinHash signatures.

A signature of `bands * rows` values is cut into bands; each band is hashed to one
64-bit key, stored in the `lsh` table. Two articles sharing a key in any band are
candidates. The band shape comes from the params (`DuplicateParams.bands()`).
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

# Odd 64-bit multipliers for mixing the values of a band into one key.
_MIX = np.random.default_rng(20240521).integers(1, 2**63, size=512, dtype=np.uint64) | np.uint64(1)


def band_keys(signatures: npt.NDArray[np.uint32], bands: int, rows: int) -> npt.NDArray[np.int64]:
    """One signed 64-bit key per band, for each signature row: shape (n, bands)."""
    if signatures.ndim == 1:
        signatures = signatures[None, :]
    if signatures.shape[1] < bands * rows:
        raise ValueError(f"{signatures.shape[1]} values cannot make {bands} bands of {rows}")
    cut = signatures[:, : bands * rows].astype(np.uint64).reshape(len(signatures), bands, rows)
    with np.errstate(over="ignore"):  # wrap-around is the point of the mixing
        mixed = (cut * _MIX[:rows]).sum(axis=2, dtype=np.uint64)
        mixed ^= mixed >> np.uint64(29)
        mixed *= np.uint64(0xBF58476D1CE4E5B9)
        mixed ^= mixed >> np.uint64(32)
    keys: npt.NDArray[np.int64] = mixed.view(np.int64)
    return keys
