package main

import (
	"bufio"
	"bytes"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"math/big"
	"os"
	"strings"

	"github.com/spf13/cobra"
	"golang.org/x/crypto/bcrypt"
	"golang.org/x/term"
)

// mkpasswdLength and mkpasswdAlphabet make the generated password, as
// nats-server's util/mkpasswd does.
const (
	mkpasswdLength   = 22
	mkpasswdAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789!@$#%^&*()"
)

func newMkpasswdCmd() *cobra.Command {
	var ask bool
	var cost int
	cmd := &cobra.Command{
		Use:   "mkpasswd [-p]",
		Short: "Generate a password and its bcrypt hash for an authorization block",
		Long: `mkpasswd prints a new strong password and its bcrypt hash, as nats-server's
mkpasswd utility does. With -p it reads a password instead (twice, without
echo on a terminal) and prints only its hash. Put the hash in a config's
authorization block as a user's password or as the token; clients send the
password itself. Nothing on the system changes.`,
		Example: `  natsvisor mkpasswd
  natsvisor mkpasswd -p`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if cost < bcrypt.MinCost || cost > bcrypt.MaxCost {
				return usageError{fmt.Errorf("cost %d out of range %d-%d", cost, bcrypt.MinCost, bcrypt.MaxCost)}
			}
			out := cmd.OutOrStdout()
			var pw []byte
			if ask {
				var err error
				if pw, err = readPasswordTwice(cmd.InOrStdin(), out); err != nil {
					return err
				}
			} else {
				pw = generatePassword()
				fmt.Fprintf(out, "pass: %s\n", pw)
			}
			hash, err := bcrypt.GenerateFromPassword(pw, cost)
			if err != nil {
				return fmt.Errorf("error producing bcrypt hash: %w", err)
			}
			_, err = fmt.Fprintf(out, "bcrypt hash: %s\n", hash)
			return err
		},
	}
	cmd.Flags().BoolVarP(&ask, "pass", "p", false, "read the password instead of generating one")
	cmd.Flags().IntVarP(&cost, "cost", "c", 11, "the bcrypt cost, 4-31")
	return cmd
}

// generatePassword draws mkpasswdLength characters from the alphabet with
// crypto/rand.
func generatePassword() []byte {
	b := make([]byte, mkpasswdLength)
	limit := big.NewInt(int64(len(mkpasswdAlphabet)))
	for i := range b {
		n, err := rand.Int(rand.Reader, limit)
		if err != nil {
			panic(err) // crypto/rand does not fail on supported systems
		}
		b[i] = mkpasswdAlphabet[n.Int64()]
	}
	return b
}

// readPasswordTwice prompts for the password and its confirmation; from a
// terminal without echo, otherwise one line each.
func readPasswordTwice(in io.Reader, out io.Writer) ([]byte, error) {
	read := lineReader(in)
	fmt.Fprint(out, "Enter Password: ")
	first, err := read()
	if err != nil {
		return nil, err
	}
	fmt.Fprint(out, "\nReenter Password: ")
	second, err := read()
	if err != nil {
		return nil, err
	}
	fmt.Fprintln(out)
	if !bytes.Equal(first, second) {
		return nil, errors.New("passwords do not match")
	}
	return first, nil
}

func lineReader(in io.Reader) func() ([]byte, error) {
	if f, ok := in.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		return func() ([]byte, error) { return term.ReadPassword(int(f.Fd())) }
	}
	br := bufio.NewReader(in)
	return func() ([]byte, error) {
		line, err := br.ReadString('\n')
		if err != nil && (line == "" || !errors.Is(err, io.EOF)) {
			return nil, fmt.Errorf("reading the password: %w", err)
		}
		return []byte(strings.TrimRight(line, "\r\n")), nil
	}
}
