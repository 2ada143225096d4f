//! Sorting large lists of large items, as the planner does (changes,
//! observations, desired keys at 10,000 resources): a leaf module, so
//! that the plan's types and the planner both use it.

/// Sorts `items` stably and in place by `cmp`, moving each item once:
/// their positions are sorted (four bytes each, scratch room for as many)
/// and the items moved along each cycle of that order. Sorting the items
/// themselves moved changes of 272 bytes a dozen times each and took
/// scratch room for them all (3 MB at 10,000, at the planner's peak).
pub fn sort_moving_once<T>(items: &mut [T], cmp: impl Fn(&T, &T) -> std::cmp::Ordering) {
    let mut order: Vec<u32> = (0..items.len() as u32).collect();
    order.sort_by(|&a, &b| cmp(&items[a as usize], &items[b as usize]));
    // Position i takes the item at order[i].
    let mut done = vec![false; items.len()];
    for start in 0..items.len() {
        let mut i = start;
        while !done[i] {
            done[i] = true;
            let from = order[i] as usize;
            if from == start {
                break;
            }
            items.swap(i, from);
            i = from;
        }
    }
}

#[cfg(test)]
mod tests {
    /// The same order as the standard stable sort, equal items in the
    /// order they came, for every length up to a few cycles' worth.
    #[test]
    fn sorts_as_the_stable_sort_does() {
        for n in 0..40u32 {
            let items: Vec<(u32, u32)> = (0..n).map(|i| ((i * 7 + 3) % 5, i)).collect();
            let mut ours = items.clone();
            super::sort_moving_once(&mut ours, |a, b| a.0.cmp(&b.0));
            let mut std = items;
            std.sort_by_key(|a| a.0);
            assert_eq!(ours, std, "{n} items");
        }
    }
}
