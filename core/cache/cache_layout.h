#pragma once
// Where a cache's K/V live: one max-length region per sequence (ContiguousKvCache) or fixed-size
// blocks (PagedKvCache). Both give bit-identical logits.
namespace kvscope {

enum class CacheLayout { Contiguous, Paged };

}  // namespace kvscope
