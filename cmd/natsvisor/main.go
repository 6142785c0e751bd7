// Command natsvisor runs NATS brokers. See README.md at the repository root.
package main

import "os"

func main() { os.Exit(execute(os.Args[1:], os.Stdout, os.Stderr)) }
