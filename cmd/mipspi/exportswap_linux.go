package main

import "golang.org/x/sys/unix"

// exchangeDirs swaps the names of two directories in one step (renameat2 with
// RENAME_EXCHANGE, Linux 3.15): at every instant each name holds one whole set. It
// returns errNoExchange where the file system cannot (EINVAL, ENOSYS, EOPNOTSUPP).
func exchangeDirs(a, b string) error {
	err := unix.Renameat2(unix.AT_FDCWD, a, unix.AT_FDCWD, b, unix.RENAME_EXCHANGE)
	switch err {
	case unix.EINVAL, unix.ENOSYS, unix.EOPNOTSUPP:
		return errNoExchange
	}
	return err
}
