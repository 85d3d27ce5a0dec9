// Go under time.skew: prints `sleep EPOCH_MS` after each time.Sleep, `timer EPOCH_MS` from a time.Ticker,
// and answers GET / with its clock on 127.0.0.1:PORT (os.Args[1]). Ends after 120 s.
package main

import (
	"fmt"
	"net"
	"net/http"
	"os"
	"time"
)

func main() {
	listener, err := net.Listen("tcp", "127.0.0.1:"+os.Args[1])
	if err != nil {
		panic(err)
	}
	go http.Serve(listener, http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		fmt.Fprint(w, time.Now().UnixMilli())
	}))
	fmt.Println("listening")
	go func() {
		for range time.NewTicker(100 * time.Millisecond).C {
			fmt.Println("timer", time.Now().UnixMilli())
		}
	}()
	for i := 0; i < 1200; i++ {
		time.Sleep(100 * time.Millisecond)
		fmt.Println("sleep", time.Now().UnixMilli())
	}
}
