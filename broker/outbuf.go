package broker

import "sync"

// Chunk sizes of the outbound queue. Small messages share 4 KiB chunks; bulk
// data goes into 64 KiB ones. Chunks come from pools and return to them after
// the write, so an idle connection holds no outbound memory.
const (
	smallChunk = 4 << 10
	largeChunk = 64 << 10
)

var (
	smallChunks = sync.Pool{New: func() any { b := make([]byte, 0, smallChunk); return &b }}
	largeChunks = sync.Pool{New: func() any { b := make([]byte, 0, largeChunk); return &b }}
)

// outbuf is a connection's queue of bytes to send: a list of pooled chunks.
// Appending never moves what is already queued (a growing slice would copy
// it again on every growth), and writeLoop hands the chunks to writev.
type outbuf struct {
	chunks []*[]byte
	size   int
}

// write appends p, filling the last chunk before taking a new one.
func (o *outbuf) write(p []byte) {
	o.size += len(p)
	for len(p) > 0 {
		if n := len(o.chunks); n > 0 {
			last := o.chunks[n-1]
			if room := cap(*last) - len(*last); room > 0 {
				k := min(room, len(p))
				*last = append(*last, p[:k]...)
				p = p[k:]
				continue
			}
		}
		o.chunks = append(o.chunks, getChunk(len(p)+o.size))
	}
}

// getChunk picks a chunk size for a queue that is about to hold want bytes.
func getChunk(want int) *[]byte {
	if want >= smallChunk {
		return largeChunks.Get().(*[]byte)
	}
	return smallChunks.Get().(*[]byte)
}

// putChunks returns written chunks to their pools and clears the list.
func putChunks(chunks []*[]byte) {
	for i, ch := range chunks {
		*ch = (*ch)[:0]
		if cap(*ch) == largeChunk {
			largeChunks.Put(ch)
		} else {
			smallChunks.Put(ch)
		}
		chunks[i] = nil
	}
}
