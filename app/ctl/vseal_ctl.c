/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vseal-ctl: talk to a running vseal over its control socket, as vppctl or ovs-appctl do.
 *
 *   vseal-ctl [-s SOCKET] COMMAND [ARG...]   run one command, print its output
 *   vseal-ctl [-s SOCKET]                    interactive session (vseal> prompt, tab
 *                                            completion); quit or exit ends it
 *
 * Exit status: 0 the command succeeded, 1 it failed (its error is on stderr), 2 usage,
 * 3 no vseal answers on the socket (or it hung up mid-answer).
 *
 * The protocol is in app/cli/cli_session.c. This program needs no DPDK.
 */
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <termios.h>
#include <unistd.h>

#define DEFAULT_SOCKET "/run/vseal/vseal.ctl"
#define LINE_MAX_LEN 1000
#define EXIT_FAILED 1
#define EXIT_USAGE 2
#define EXIT_NOCONN 3

static struct termios saved_term;
static bool term_saved;

static void
usage(FILE *f)
{
	fprintf(f,
		"usage: vseal-ctl [-s SOCKET] [COMMAND [ARG...]]\n"
		"  -s, --socket PATH   vseal's control socket ([host] ctl-socket; default %s)\n"
		"  -h, --help          this text\n"
		"With a COMMAND, run it and exit: 0 if it succeeded, 1 if it failed,\n"
		"3 if no vseal answers. Without, open an interactive session (help lists\n"
		"the commands; quit or exit ends the session, not vseal).\n",
		DEFAULT_SOCKET);
}

static int
connect_to(const char *path)
{
	struct sockaddr_un sun;
	int fd;

	if (strlen(path) >= sizeof(sun.sun_path)) {
		fprintf(stderr, "vseal-ctl: socket path too long: %s\n", path);
		return -1;
	}
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		fprintf(stderr, "vseal-ctl: socket: %s\n", strerror(errno));
		return -1;
	}
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	memcpy(sun.sun_path, path, strlen(path) + 1);
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) != 0) {
		fprintf(stderr, "vseal-ctl: cannot connect to %s: %s (is vseal running?)\n", path,
			strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

static int
write_all(int fd, const char *buf, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, buf, len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

/* One command: the answer is OUTPUT \0 ERRORS \0 STATUS\n. */
static int
run_one(int fd, int argc, char **argv)
{
	char line[LINE_MAX_LEN + 8] = "exec";
	size_t len = strlen(line), cap = 65536, used = 0;
	char *buf, *nul1, *nul2;
	int i, status;

	for (i = 0; i < argc; i++) {
		size_t l = strlen(argv[i]);

		if (len + 1 + l + 1 > LINE_MAX_LEN) {
			fprintf(stderr, "vseal-ctl: command longer than %d characters\n",
				LINE_MAX_LEN);
			return EXIT_USAGE;
		}
		if (strchr(argv[i], '\n') != NULL) {
			fprintf(stderr, "vseal-ctl: a command is one line\n");
			return EXIT_USAGE;
		}
		line[len++] = ' ';
		memcpy(line + len, argv[i], l);
		len += l;
	}
	line[len++] = '\n';
	if (write_all(fd, line, len) != 0) {
		fprintf(stderr, "vseal-ctl: cannot send the command: %s\n", strerror(errno));
		return EXIT_NOCONN;
	}
	buf = malloc(cap);
	if (buf == NULL)
		return EXIT_NOCONN;
	for (;;) {
		ssize_t n;

		if (used + 4096 > cap) {
			char *nb = realloc(buf, cap * 2);

			if (nb == NULL) {
				free(buf);
				return EXIT_NOCONN;
			}
			buf = nb;
			cap *= 2;
		}
		n = read(fd, buf + used, cap - used - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		used += (size_t)n;
	}
	buf[used] = '\0';
	nul1 = memchr(buf, '\0', used);
	nul2 = nul1 == NULL ? NULL : memchr(nul1 + 1, '\0', used - (size_t)(nul1 + 1 - buf));
	if (nul2 == NULL) {
		/* Not an answer to a command: vseal refused the session (or died). */
		if (used > 0)
			write_all(STDERR_FILENO, buf, used);
		else
			fprintf(stderr, "vseal-ctl: vseal closed the connection without answering\n");
		free(buf);
		return EXIT_NOCONN;
	}
	write_all(STDOUT_FILENO, buf, (size_t)(nul1 - buf));
	write_all(STDERR_FILENO, nul1 + 1, (size_t)(nul2 - nul1 - 1));
	status = atoi(nul2 + 1) == 0 ? 0 : EXIT_FAILED;
	free(buf);
	return status;
}

static void
term_restore(void)
{
	if (term_saved)
		tcsetattr(STDIN_FILENO, TCSANOW, &saved_term);
}

static void
on_signal(int sig)
{
	term_restore();
	signal(sig, SIG_DFL);
	raise(sig);
}

/* Keys go to vseal as they are typed (it edits the line and completes); output comes back. */
static int
interactive(int fd)
{
	static const char hello[] = "interactive\n";
	struct pollfd pfd[2];
	bool in_open = true;
	char buf[4096];

	if (isatty(STDIN_FILENO) && tcgetattr(STDIN_FILENO, &saved_term) == 0) {
		struct termios t = saved_term;

		term_saved = true;
		atexit(term_restore);
		signal(SIGINT, on_signal);
		signal(SIGTERM, on_signal);
		signal(SIGHUP, on_signal);
		t.c_lflag &= ~(tcflag_t)(ICANON | ECHO);
		t.c_cc[VMIN] = 1;
		t.c_cc[VTIME] = 0;
		tcsetattr(STDIN_FILENO, TCSANOW, &t);
	}
	if (write_all(fd, hello, sizeof(hello) - 1) != 0)
		return EXIT_NOCONN;
	for (;;) {
		ssize_t n;

		pfd[0] = (struct pollfd){ .fd = fd, .events = POLLIN };
		pfd[1] = (struct pollfd){ .fd = in_open ? STDIN_FILENO : -1, .events = POLLIN };
		if (poll(pfd, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			return EXIT_NOCONN;
		}
		if (pfd[0].revents & (POLLIN | POLLHUP | POLLERR)) {
			n = read(fd, buf, sizeof(buf));
			if (n <= 0)
				break;       /* vseal ended the session */
			write_all(STDOUT_FILENO, buf, (size_t)n);
		}
		if (in_open && (pfd[1].revents & (POLLIN | POLLHUP | POLLERR))) {
			n = read(STDIN_FILENO, buf, sizeof(buf));
			if (n <= 0) {
				/* End of input: vseal answers what it got, then closes. */
				in_open = false;
				shutdown(fd, SHUT_WR);
			} else if (write_all(fd, buf, (size_t)n) != 0) {
				break;
			}
		}
	}
	term_restore();
	return 0;
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "socket", required_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *path = DEFAULT_SOCKET;
	int opt, fd, ret;

	signal(SIGPIPE, SIG_IGN);
	/* '+': options end at the first word of the command. */
	while ((opt = getopt_long(argc, argv, "+s:h", longopts, NULL)) != -1) {
		switch (opt) {
		case 's':
			path = optarg;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	fd = connect_to(path);
	if (fd < 0)
		return EXIT_NOCONN;
	if (optind < argc)
		ret = run_one(fd, argc - optind, argv + optind);
	else
		ret = interactive(fd);
	close(fd);
	return ret;
}
