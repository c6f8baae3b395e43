/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * CLI sessions: vseal's own terminal (-i), command files (--cmdline-file, `load`), and the
 * clients of the control socket. All served from the main lcore's loop without blocking it.
 *
 * Control socket protocol (a unix stream socket; vseal-ctl speaks it):
 * - The client's first line chooses the mode:
 *     "exec COMMAND\n"  run one command; the answer is its output, a NUL byte, its error
 *                       output, a NUL byte, and the exit status as decimal digits and "\n";
 *                       then vseal closes the connection.
 *     "interactive\n"   a session with the vseal> prompt: the bytes that follow are fed to
 *                       librte_cmdline as a terminal's keys (line editing, history, tab
 *                       completion), its output comes back as is; quit or exit, or the
 *                       client closing its side, ends the session.
 *   Anything else is answered with one error line and the connection is closed.
 * - A session's input is run CLI_LINES_PER_POLL lines per poll, the rest waits: a client
 *   that sends thousands of lines does not hold the main lcore (which may also be the
 *   control lcore) for long.
 * - A session's output goes to a memfd first and is sent from there as fast as the client
 *   reads: a slow or stuck client never blocks the main lcore (a session whose unsent
 *   output passes CLI_OUT_MAX is dropped).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <bsd/string.h>

#include <rte_common.h>

#include <cmdline.h>
#include <cmdline_parse.h>
#include <cmdline_socket.h>

#include "cli.h"
#include "vs_cli.h"
#include "vs_log.h"

#define CLI_PROMPT "vseal> "
#define CLI_MAX_SESSIONS 16
#define CLI_HELLO_MAX 1024
#define CLI_HELLO_TIMEOUT_MS 10000
#define CLI_READ_BUDGET 4096        /* input bytes read from a session at once */
#define CLI_LINES_PER_POLL 8        /* command lines run per session and poll */
#define CLI_OUT_MAX (64 << 20)      /* unsent output bytes before a session is dropped */
#define CLI_FILE_DEPTH 8            /* load inside load */
#define CLI_FILE_LINE 1024

enum cli_kind {
	CLI_FREE = 0,
	CLI_TERMINAL,     /* vseal -i */
	CLI_FILE,         /* --cmdline-file */
	CLI_HELLO,        /* socket client, mode line not read yet */
	CLI_EXEC,         /* socket client, one command */
	CLI_INTERACTIVE,  /* socket client, prompt */
};

struct cli_session {
	enum cli_kind kind;
	struct cmdline *cl;
	int fd;              /* the client's socket, -1 otherwise */
	int out;             /* where output goes: a memfd for sockets (cl owns it), or 1 */
	int err;             /* error output: out, or a memfd of its own (exec) */
	off_t sent;          /* bytes of out already sent */
	bool failed;         /* a command failed since the flag was cleared */
	bool closing;        /* close once the output is sent */
	unsigned int depth;  /* files being run (load) */
	uint64_t deadline;   /* ms: hello must arrive before */
	size_t hello_len;
	char hello[CLI_HELLO_MAX];
	size_t in_len;       /* interactive input not run yet */
	char in[CLI_READ_BUDGET + CLI_HELLO_MAX];
};

struct cli_server {
	int listen_fd;
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	struct cli_session term;
	struct cli_session file;
	struct cli_session sess[CLI_MAX_SESSIONS];
};

/*
 * printf to a file descriptor. Not dprintf(): DPDK 22.11's cmdline_cirbuf.h (included by
 * cmdline.h) defines dprintf() as a macro that prints nothing.
 */
static void __rte_format_printf(2, 3)
fd_printf(int fd, const char *fmt, ...)
{
	char buf[2048];
	va_list ap;
	int n;
	size_t off = 0;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n >= sizeof(buf))
		n = sizeof(buf) - 1;
	while (off < (size_t)n) {
		ssize_t w = write(fd, buf + off, (size_t)n - off);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return;
		off += (size_t)w;
	}
}

static uint64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static struct cli_session *
session_of(const struct cmdline *cl)
{
	struct cli_server *s = cli_ctx->srv;
	unsigned int i;

	if (s->term.cl == cl && s->term.kind != CLI_FREE)
		return &s->term;
	if (s->file.cl == cl && s->file.kind != CLI_FREE)
		return &s->file;
	for (i = 0; i < CLI_MAX_SESSIONS; i++)
		if (s->sess[i].kind != CLI_FREE && s->sess[i].cl == cl)
			return &s->sess[i];
	return NULL;
}

void
cli_err_printf(struct cmdline *cl, const char *fmt, ...)
{
	struct cli_session *s = session_of(cl);
	char buf[2048];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (s != NULL)
		fd_printf(s->err, "%s", buf);
	else
		cmdline_printf(cl, "%s", buf);
}

void
cli_failed(struct cmdline *cl)
{
	struct cli_session *s = session_of(cl);

	if (s != NULL)
		s->failed = true;
}

void
cli_session_quit(struct cmdline *cl)
{
	struct cli_session *s = session_of(cl);

	if (s == NULL)
		return;
	if (s->kind == CLI_TERMINAL || s->kind == CLI_FILE)
		cli_ctx->quit = true;
	s->closing = true;
	if (s->kind == CLI_TERMINAL || s->kind == CLI_INTERACTIVE)
		cmdline_quit(cl);
}

/* Run one line (ending in '\n') in the session; librte_cmdline's own refusals reported. */
static void
run_line(struct cli_session *s, const char *line)
{
	int ret = cmdline_parse(s->cl, line);

	/* The fallback matches every line no command does: these mean a bug of ours. */
	if (ret == CMDLINE_PARSE_AMBIGUOUS || ret == CMDLINE_PARSE_NOMATCH ||
			ret == CMDLINE_PARSE_BAD_ARGS) {
		fd_printf(s->err, "error: the command line could not be parsed (%d)\n", ret);
		s->failed = true;
	}
}

int
cli_run_file(struct cmdline *cl, const char *path)
{
	struct cli_session *s = session_of(cl);
	char line[CLI_FILE_LINE + 2];
	unsigned int lineno = 0, failed = 0, run = 0;
	bool was_failed;
	struct stat st;
	FILE *f;

	if (s == NULL)
		return -EINVAL;
	if (s->depth >= CLI_FILE_DEPTH)
		return -ELOOP;
	if (stat(path, &st) != 0)
		return -errno;
	if (!S_ISREG(st.st_mode))
		return -EINVAL;
	f = fopen(path, "r");
	if (f == NULL)
		return -errno;
	was_failed = s->failed;
	s->depth++;
	while (!s->closing && fgets(line, CLI_FILE_LINE + 1, f) != NULL) {
		size_t len = strlen(line);

		lineno++;
		if (len > 0 && line[len - 1] != '\n') {
			if (!feof(f)) {
				int c;

				while ((c = fgetc(f)) != EOF && c != '\n')
					;
				fd_printf(s->err, "%s:%u: error: line longer than %d characters\n",
					path, lineno, CLI_FILE_LINE);
				failed++;
				run++;
				continue;
			}
			line[len++] = '\n';
			line[len] = '\0';
		}
		if (line[strspn(line, " \t\r\n")] == '\0' || line[strspn(line, " \t")] == '#')
			continue;
		s->failed = false;
		run++;
		run_line(s, line);
		if (s->failed) {
			failed++;
			line[strcspn(line, "\r\n")] = '\0';
			fd_printf(s->err, "%s:%u: failed: %s\n", path, lineno, line);
		}
	}
	fclose(f);
	s->depth--;
	if (failed > 0)
		fd_printf(s->err, "%s: %u of %u commands failed\n", path, failed, run);
	s->failed = was_failed || failed > 0;
	return (int)failed;
}

/* ---- the socket ---- */

static int
mkdir_parents(const char *path)
{
	char dir[PATH_MAX];
	char *p;

	strlcpy(dir, path, sizeof(dir));
	p = strrchr(dir, '/');
	if (p == NULL || p == dir)
		return 0;
	*p = '\0';
	for (p = dir + 1; *p != '\0'; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(dir, 0755) != 0 && errno != EEXIST)
			return -errno;
		*p = '/';
	}
	if (mkdir(dir, 0755) != 0 && errno != EEXIST)
		return -errno;
	return 0;
}

int
cli_server_create(struct vs_cli *cli, const char *path, char *err, size_t errlen)
{
	struct cli_server *s;
	struct sockaddr_un sun;
	struct stat st;
	int fd, ret;

	s = calloc(1, sizeof(*s));
	if (s == NULL) {
		snprintf(err, errlen, "out of memory for the control socket");
		return -ENOMEM;
	}
	s->listen_fd = -1;
	s->term.fd = -1;
	s->file.fd = -1;
	for (fd = 0; fd < CLI_MAX_SESSIONS; fd++)
		s->sess[fd].fd = -1;
	cli->srv = s;
	if (strlen(path) >= sizeof(sun.sun_path)) {
		snprintf(err, errlen, "control socket %s: path longer than %zu characters", path,
			sizeof(sun.sun_path) - 1);
		return -ENAMETOOLONG;
	}
	ret = mkdir_parents(path);
	if (ret != 0) {
		snprintf(err, errlen, "control socket %s: cannot create its directory: %s", path,
			strerror(-ret));
		return ret;
	}
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	strlcpy(sun.sun_path, path, sizeof(sun.sun_path));
	if (lstat(path, &st) == 0) {
		if (!S_ISSOCK(st.st_mode)) {
			snprintf(err, errlen, "control socket %s: exists and is not a socket",
				path);
			return -EEXIST;
		}
		fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (fd >= 0 && connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == 0) {
			close(fd);
			snprintf(err, errlen, "control socket %s: in use (another vseal runs with "
				"this [host] ctl-socket)", path);
			return -EADDRINUSE;
		}
		if (fd >= 0)
			close(fd);
		unlink(path);
	}
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sun, sizeof(sun)) != 0 ||
			chmod(path, 0660) != 0 || listen(fd, CLI_MAX_SESSIONS) != 0) {
		ret = -errno;
		snprintf(err, errlen, "control socket %s: %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return ret;
	}
	s->listen_fd = fd;
	strlcpy(s->path, path, sizeof(s->path));
	signal(SIGPIPE, SIG_IGN);
	return 0;
}

/* Bytes of out not sent yet. */
static off_t
pending(const struct cli_session *s)
{
	off_t end = lseek(s->out, 0, SEEK_CUR);

	return end > s->sent ? end - s->sent : 0;
}

/*
 * Send what the client can take now. @return 0 when everything was sent, 1 when some is
 * left, -1 when the client is gone.
 */
static int
session_flush(struct cli_session *s)
{
	char buf[16384];
	off_t end = lseek(s->out, 0, SEEK_CUR);

	while (s->sent < end) {
		size_t want = (size_t)RTE_MIN((off_t)sizeof(buf), end - s->sent);
		ssize_t n = pread(s->out, buf, want, s->sent);
		ssize_t w;

		if (n <= 0)
			return -1;
		w = send(s->fd, buf, (size_t)n, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (w < 0)
			return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR ? 1 : -1;
		s->sent += w;
		if (w < n)
			return 1;
	}
	if (end > 0) {
		/* All sent: start the memfd over. */
		if (ftruncate(s->out, 0) != 0 || lseek(s->out, 0, SEEK_SET) != 0)
			return -1;
		s->sent = 0;
	}
	return 0;
}

static void
session_close(struct cli_session *s)
{
	if (s->cl != NULL)
		cmdline_free(s->cl);       /* closes s->out (and s->in when > 2) */
	else if (s->out > 2)
		close(s->out);
	if (s->err != s->out && s->err > 2)
		close(s->err);
	if (s->fd >= 0)
		close(s->fd);
	memset(s, 0, sizeof(*s));
	s->fd = -1;
	s->kind = CLI_FREE;
}

static void
accept_clients(struct cli_server *srv)
{
	static const char busy[] = "error: too many control sessions, try again later\n";
	unsigned int i;
	int fd;

	while ((fd = accept4(srv->listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC)) >= 0) {
		struct cli_session *s = NULL;

		for (i = 0; i < CLI_MAX_SESSIONS && s == NULL; i++)
			if (srv->sess[i].kind == CLI_FREE)
				s = &srv->sess[i];
		if (s == NULL) {
			if (send(fd, busy, sizeof(busy) - 1, MSG_NOSIGNAL | MSG_DONTWAIT) < 0)
				VS_LOG(DEBUG, ctl, "control socket: refused a client");
			close(fd);
			continue;
		}
		memset(s, 0, sizeof(*s));
		s->out = memfd_create("vseal-cli", MFD_CLOEXEC);
		if (s->out < 0) {
			close(fd);
			s->fd = -1;
			continue;
		}
		s->err = s->out;
		s->fd = fd;
		s->kind = CLI_HELLO;
		s->deadline = now_ms() + CLI_HELLO_TIMEOUT_MS;
	}
}

/* One command, answered as output NUL errors NUL status. */
static void
session_exec(struct cli_session *s, const char *cmd)
{
	char line[CLI_HELLO_MAX + 2];
	char buf[4096];
	off_t off = 0;
	ssize_t n;

	s->err = memfd_create("vseal-cli-err", MFD_CLOEXEC);
	s->cl = s->err < 0 ? NULL : cmdline_new(cli_ctx->ctx, "", -1, s->out);
	if (s->cl == NULL) {
		if (s->err >= 0)
			close(s->err);
		s->err = s->out;
		fd_printf(s->out, "%c%s%c1\n", '\0', "error: out of memory\n", '\0');
		s->closing = true;
		return;
	}
	s->kind = CLI_EXEC;
	snprintf(line, sizeof(line), "%s\n", cmd);
	s->failed = false;
	run_line(s, line);
	if (write(s->out, "", 1) != 1)
		s->failed = true;
	while ((n = pread(s->err, buf, sizeof(buf), off)) > 0) {
		if (write(s->out, buf, (size_t)n) != n)
			break;
		off += n;
	}
	fd_printf(s->out, "%c%d\n", '\0', s->failed ? 1 : 0);
	s->closing = true;
}

/* Queue interactive input (it fits: more is read only once the queue is empty). */
static void
session_interactive_in(struct cli_session *s, const char *buf, size_t n)
{
	n = RTE_MIN(n, sizeof(s->in) - s->in_len);
	memcpy(s->in + s->in_len, buf, n);
	s->in_len += n;
}

/* Give librte_cmdline the queued input, up to CLI_LINES_PER_POLL complete lines. */
static void
session_feed(struct cli_session *s)
{
	unsigned int lines = 0;
	size_t n = 0;

	while (n < s->in_len && lines < CLI_LINES_PER_POLL) {
		if (s->in[n] == '\n' || s->in[n] == '\r')
			lines++;
		n++;
	}
	if (n == 0)
		return;
	if (!s->closing && cmdline_in(s->cl, s->in, (int)n) < 0)
		s->closing = true;
	memmove(s->in, s->in + n, s->in_len - n);
	s->in_len -= n;
	if (s->closing)
		s->in_len = 0;
}

/* The first line: which mode. Bytes after it belong to an interactive session. */
static void
session_hello(struct cli_session *s, const char *buf, size_t n)
{
	static const char bad[] = "error: expected 'exec COMMAND' or 'interactive' as the "
		"first line (use vseal-ctl)\n";
	size_t room = sizeof(s->hello) - 1 - s->hello_len;
	size_t take = RTE_MIN(n, room);
	char *nl;
	size_t used;

	memcpy(s->hello + s->hello_len, buf, take);
	s->hello_len += take;
	s->hello[s->hello_len] = '\0';
	nl = memchr(s->hello, '\n', s->hello_len);
	if (nl == NULL) {
		if (s->hello_len == sizeof(s->hello) - 1) {
			fd_printf(s->out, "error: command line longer than %d characters\n",
				CLI_HELLO_MAX - 8);
			s->closing = true;
		}
		return;
	}
	*nl = '\0';
	used = (size_t)(nl - s->hello) + 1;
	if (nl > s->hello && nl[-1] == '\r')
		nl[-1] = '\0';
	if (strncmp(s->hello, "exec ", 5) == 0) {
		session_exec(s, s->hello + 5);
	} else if (strcmp(s->hello, "interactive") == 0) {
		s->cl = cmdline_new(cli_ctx->ctx, CLI_PROMPT, -1, s->out);
		if (s->cl == NULL) {
			fd_printf(s->out, "error: out of memory\n");
			s->closing = true;
			return;
		}
		s->kind = CLI_INTERACTIVE;
		session_interactive_in(s, s->hello + used, s->hello_len - used);
		session_interactive_in(s, buf + take, n - take);
	} else {
		fd_printf(s->out, "%s", bad);
		s->closing = true;
	}
}

static void
session_read(struct cli_session *s)
{
	char buf[CLI_READ_BUDGET];
	ssize_t n;

	if (s->in_len > 0)
		return;         /* run what is queued first */
	n = recv(s->fd, buf, sizeof(buf), MSG_DONTWAIT);
	if (n < 0) {
		if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
			s->closing = true;
		return;
	}
	if (n == 0) {
		/* The client closed its side: answer what it sent, then close. */
		s->closing = true;
		return;
	}
	if (s->kind == CLI_HELLO)
		session_hello(s, buf, (size_t)n);
	else if (s->kind == CLI_INTERACTIVE)
		session_interactive_in(s, buf, (size_t)n);
	/* Input after an exec command is ignored. */
}

static void
terminal_read(struct vs_cli *cli)
{
	struct cli_session *t = &cli->srv->term;
	char buf[256];
	ssize_t n = read(STDIN_FILENO, buf, sizeof(buf));

	if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) {
		/* End of input at vseal's own prompt stops vseal, as testpmd does. */
		cli->quit = true;
		t->closing = true;
		return;
	}
	if (n > 0 && cmdline_in(t->cl, buf, (int)n) < 0) {
		cli->quit = true;
		t->closing = true;
	}
}

void
vs_cli_poll(struct vs_cli *cli, int timeout_ms)
{
	struct cli_server *srv = cli->srv;
	struct pollfd pfd[CLI_MAX_SESSIONS + 2];
	int idx[CLI_MAX_SESSIONS + 2];
	unsigned int n = 0, i;
	uint64_t now;

	if (srv->listen_fd >= 0) {
		pfd[n] = (struct pollfd){ .fd = srv->listen_fd, .events = POLLIN };
		idx[n++] = -1;
	}
	if (srv->term.kind == CLI_TERMINAL && !srv->term.closing) {
		pfd[n] = (struct pollfd){ .fd = STDIN_FILENO, .events = POLLIN };
		idx[n++] = -2;
	}
	for (i = 0; i < CLI_MAX_SESSIONS; i++) {
		struct cli_session *s = &srv->sess[i];
		short ev = 0;

		if (s->kind == CLI_FREE)
			continue;
		if (s->in_len > 0)
			timeout_ms = 0;         /* queued lines: no waiting */
		else if (!s->closing)
			ev |= POLLIN;
		if (pending(s) > 0)
			ev |= POLLOUT;
		pfd[n] = (struct pollfd){ .fd = s->fd, .events = ev };
		idx[n++] = (int)i;
	}
	if (poll(pfd, n, timeout_ms) < 0)
		return;
	now = now_ms();
	for (i = 0; i < n; i++) {
		struct cli_session *s;

		if (idx[i] == -1) {
			if (pfd[i].revents & POLLIN)
				accept_clients(srv);
			continue;
		}
		if (idx[i] == -2) {
			if (pfd[i].revents & (POLLIN | POLLHUP | POLLERR))
				terminal_read(cli);
			continue;
		}
		s = &srv->sess[idx[i]];
		if (pfd[i].revents & (POLLERR | POLLNVAL)) {
			session_close(s);
			continue;
		}
		if (pfd[i].revents & (POLLIN | POLLHUP))
			session_read(s);
		if (s->kind == CLI_INTERACTIVE)
			session_feed(s);
		if (s->kind == CLI_HELLO && !s->closing && now > s->deadline) {
			fd_printf(s->out, "error: no command line within %d s\n",
				CLI_HELLO_TIMEOUT_MS / 1000);
			s->closing = true;
		}
		switch (session_flush(s)) {
		case 0:
			if (s->closing)
				session_close(s);
			break;
		case 1:
			if (pending(s) > CLI_OUT_MAX) {
				VS_LOG(WARNING, ctl, "control socket: a client does not read its "
					"output, closing its session");
				session_close(s);
			}
			break;
		default:
			session_close(s);
			break;
		}
	}
}

int
vs_cli_start(struct vs_cli *cli, const char *cmdline_file, bool interactive, char *err,
		size_t errlen)
{
	struct cli_server *srv = cli->srv;
	int ret;

	cli->lcore_base = calloc(RTE_MAX(cli->dp->nb_workers, 1u), sizeof(*cli->lcore_base));
	if (cli->lcore_base == NULL) {
		snprintf(err, errlen, "out of memory for the CLI");
		return -ENOMEM;
	}
	if (cmdline_file != NULL) {
		struct cli_session *f = &srv->file;

		f->cl = cmdline_new(cli->ctx, "", -1, STDOUT_FILENO);
		if (f->cl == NULL) {
			snprintf(err, errlen, "out of memory for the CLI");
			return -ENOMEM;
		}
		f->kind = CLI_FILE;
		f->out = STDOUT_FILENO;
		f->err = STDOUT_FILENO;
		ret = cli_run_file(f->cl, cmdline_file);
		fflush(stdout);
		cmdline_free(f->cl);
		memset(f, 0, sizeof(*f));
		f->fd = -1;
		if (ret < 0) {
			snprintf(err, errlen, "--cmdline-file %s: %s", cmdline_file,
				ret == -EINVAL ? "not a regular file" : strerror(-ret));
			return ret;
		}
	}
	if (interactive && !cli->quit) {
		struct cli_session *t = &srv->term;

		t->cl = cmdline_stdin_new(cli->ctx, CLI_PROMPT);
		if (t->cl == NULL) {
			snprintf(err, errlen, "cannot open the terminal prompt");
			return -ENOMEM;
		}
		t->kind = CLI_TERMINAL;
		t->out = STDOUT_FILENO;
		t->err = STDOUT_FILENO;
	}
	return 0;
}

void
cli_server_destroy(struct vs_cli *cli)
{
	struct cli_server *srv = cli->srv;
	unsigned int i;

	if (srv == NULL)
		return;
	for (i = 0; i < CLI_MAX_SESSIONS; i++) {
		struct cli_session *s = &srv->sess[i];

		if (s->kind == CLI_FREE)
			continue;
		/* Last words to a client still connected, without waiting for it. */
		if (session_flush(s) == 0 && s->kind == CLI_INTERACTIVE) {
			fd_printf(s->out, "\nvseal is stopping\n");
			session_flush(s);
		}
		session_close(s);
	}
	if (srv->term.kind == CLI_TERMINAL) {
		cmdline_stdin_exit(srv->term.cl);
		printf("\n");
		fflush(stdout);
	}
	if (srv->listen_fd >= 0) {
		close(srv->listen_fd);
		unlink(srv->path);
	}
	free(srv);
	cli->srv = NULL;
}
