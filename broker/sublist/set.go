package sublist

// indexAt is the size at which a set starts keeping a position map, so that
// adding and removing stay O(1) on subjects with a large fan-out.
const indexAt = 16

// set is an unordered collection of distinct values kept in a slice, which is
// what matching iterates. Large sets also keep a value → position map.
type set[T comparable] struct {
	items []T
	pos   map[T]int
}

// find returns the position of v in s.items, or -1.
func (s *set[T]) find(v T) int {
	if s.pos != nil {
		if i, ok := s.pos[v]; ok {
			return i
		}
		return -1
	}
	for i := range s.items {
		if s.items[i] == v {
			return i
		}
	}
	return -1
}

// add inserts v and reports whether it was absent.
func (s *set[T]) add(v T) bool {
	if s.find(v) >= 0 {
		return false
	}
	s.items = append(s.items, v)
	if s.pos != nil {
		s.pos[v] = len(s.items) - 1
	} else if len(s.items) >= indexAt {
		s.pos = make(map[T]int, 2*len(s.items))
		for i, it := range s.items {
			s.pos[it] = i
		}
	}
	return true
}

// remove deletes v and reports whether it was present. The last item takes
// the freed position, so the order of items is not preserved.
func (s *set[T]) remove(v T) bool {
	i := s.find(v)
	if i < 0 {
		return false
	}
	last := len(s.items) - 1
	if i != last {
		s.items[i] = s.items[last]
		if s.pos != nil {
			s.pos[s.items[i]] = i
		}
	}
	var zero T
	s.items[last] = zero // do not keep the removed value reachable
	s.items = s.items[:last]
	if s.pos != nil {
		delete(s.pos, v)
		if len(s.items) < indexAt/2 {
			s.pos = nil
		}
	}
	if len(s.items) == 0 {
		s.items = nil
	}
	return true
}

// len returns the number of values in the set.
func (s *set[T]) len() int { return len(s.items) }
