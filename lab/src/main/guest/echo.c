/*
 * The lab guest's echo server: answers every UDP datagram and echoes every TCP stream on the given
 * ports, many TCP clients at once (one poll loop), and optionally dirties memory for migration tests.
 *
 *   cutover-echo [--udp PORT]... [--tcp PORT]... [--dirty MiB[,PAGES_PER_SECOND]]
 *
 * It binds every socket, then goes to the background and exits 0, so that whoever started it knows it
 * listens once it returns. Built static (gcc -static -O2) when the guest image is built.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#define MAX_LISTENERS 16
#define MAX_FDS 1024
#define PAGE 4096

enum kind { UDP, TCP_LISTENER, TCP_CLIENT };

static struct pollfd fds[MAX_FDS];
static enum kind kinds[MAX_FDS];
static int nfds;

static void die(const char *what) {
    fprintf(stderr, "cutover-echo: %s: %s\n", what, strerror(errno));
    exit(1);
}

static void usage(void) {
    fprintf(stderr, "usage: cutover-echo [--udp PORT]... [--tcp PORT]... [--dirty MiB[,PAGES_PER_SECOND]]\n");
    exit(2);
}

static int port_of(const char *text) {
    char *end;
    long port = strtol(text, &end, 10);
    if (*end != '\0' || port < 1 || port > 65535) {
        usage();
    }
    return (int) port;
}

static void add_fd(int fd, enum kind kind) {
    if (nfds == MAX_FDS) {
        close(fd);
        return;
    }
    fds[nfds].fd = fd;
    fds[nfds].events = POLLIN;
    fds[nfds].revents = 0;
    kinds[nfds] = kind;
    nfds++;
}

static void remove_fd(int i) {
    close(fds[i].fd);
    nfds--;
    fds[i] = fds[nfds];
    kinds[i] = kinds[nfds];
}

static int bound_socket(int type, int port) {
    int fd = socket(AF_INET, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        die("socket");
    }
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in address = {.sin_family = AF_INET, .sin_port = htons(port), .sin_addr.s_addr = INADDR_ANY};
    if (bind(fd, (struct sockaddr *) &address, sizeof address) < 0) {
        die("bind");
    }
    if (type == SOCK_STREAM && listen(fd, 128) < 0) {
        die("listen");
    }
    if (type == SOCK_DGRAM && setsockopt(fd, IPPROTO_IP, IP_PKTINFO, &one, sizeof one) < 0) {
        die("IP_PKTINFO");
    }
    return fd;
}

/*
 * Sends one answer from the address the datagram was sent to (its IP_PKTINFO): a guest renumbered after a move across
 * subnets keeps its old address for the clients that use it, and its routes would otherwise pick the new one, whose
 * answers those clients do not take. Waits (up to a second) while the socket's send buffer or the interface's queue is
 * full, as after a migration's resume, when the guest answers everything the network held for it at once: an answer
 * dropped here would count as a probe the network lost.
 */
static void send_answer(int fd, const char *buffer, size_t n, struct sockaddr_storage *to, socklen_t length,
                        const struct in_pktinfo *sent_to) {
    struct iovec data = {.iov_base = (void *) buffer, .iov_len = n};
    char control[CMSG_SPACE(sizeof(struct in_pktinfo))];
    struct msghdr message = {.msg_name = to, .msg_namelen = length, .msg_iov = &data, .msg_iovlen = 1};
    if (sent_to != NULL) {
        memset(control, 0, sizeof control);
        message.msg_control = control;
        message.msg_controllen = sizeof control;
        struct cmsghdr *header = CMSG_FIRSTHDR(&message);
        header->cmsg_level = IPPROTO_IP;
        header->cmsg_type = IP_PKTINFO;
        header->cmsg_len = CMSG_LEN(sizeof(struct in_pktinfo));
        struct in_pktinfo from = {.ipi_ifindex = 0, .ipi_spec_dst = sent_to->ipi_addr};
        memcpy(CMSG_DATA(header), &from, sizeof from);
    }
    for (int tries = 0; tries < 1000; tries++) {
        if (sendmsg(fd, &message, 0) >= 0) {
            return;
        }
        if (errno == EAGAIN) {
            struct pollfd out = {.fd = fd, .events = POLLOUT};
            poll(&out, 1, 1);
        } else if (errno == ENOBUFS || errno == EINTR) {
            struct timespec pause = {.tv_sec = 0, .tv_nsec = 1000000};
            nanosleep(&pause, NULL);
        } else {
            return;
        }
    }
}

static void answer_udp(int fd) {
    static char buffer[65536];
    struct sockaddr_storage from;
    char control[CMSG_SPACE(sizeof(struct in_pktinfo))];
    for (;;) {
        struct iovec data = {.iov_base = buffer, .iov_len = sizeof buffer};
        struct msghdr message = {.msg_name = &from, .msg_namelen = sizeof from, .msg_iov = &data, .msg_iovlen = 1,
                                 .msg_control = control, .msg_controllen = sizeof control};
        ssize_t n = recvmsg(fd, &message, 0);
        if (n < 0) {
            return;
        }
        const struct in_pktinfo *sent_to = NULL;
        for (struct cmsghdr *header = CMSG_FIRSTHDR(&message); header != NULL;
             header = CMSG_NXTHDR(&message, header)) {
            if (header->cmsg_level == IPPROTO_IP && header->cmsg_type == IP_PKTINFO) {
                sent_to = (const struct in_pktinfo *) CMSG_DATA(header);
            }
        }
        send_answer(fd, buffer, (size_t) n, &from, message.msg_namelen, sent_to);
    }
}

static void accept_clients(int fd) {
    for (;;) {
        int client = accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (client < 0) {
            return;
        }
        add_fd(client, TCP_CLIENT);
    }
}

/* Echoes what the client sent; returns 0 when the client is gone. */
static int echo_stream(int fd) {
    char buffer[16384];
    ssize_t n = read(fd, buffer, sizeof buffer);
    if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) {
        return 0;
    }
    for (ssize_t sent = 0; sent < n;) {
        ssize_t w = write(fd, buffer + sent, (size_t) (n - sent));
        if (w < 0 && errno == EAGAIN) {
            struct pollfd out = {.fd = fd, .events = POLLOUT};
            poll(&out, 1, 1000);
            continue;
        }
        if (w < 0) {
            return 0;
        }
        sent += w;
    }
    return 1;
}

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double) t.tv_sec + (double) t.tv_nsec / 1e9;
}

/* Writes one byte in a page after another over `mib` MiB, `rate` pages a second (0: as fast as it can). */
static void dirty(long mib, long rate) {
    size_t pages = (size_t) mib * 1024 * 1024 / PAGE;
    unsigned char *memory = mmap(NULL, pages * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (memory == MAP_FAILED) {
        die("mmap");
    }
    setpriority(PRIO_PROCESS, 0, 10);
    size_t page = 0;
    unsigned char value = 0;
    double start = now();
    uint64_t written = 0;
    for (;;) {
        for (int i = 0; i < 256; i++) {
            memory[page * PAGE + (written % PAGE)] = value;
            page = (page + 1) % pages;
            if (page == 0) {
                value++;
            }
            written++;
        }
        if (rate > 0) {
            double ahead = (double) written / (double) rate - (now() - start);
            if (ahead > 0) {
                struct timespec pause = {.tv_sec = (time_t) ahead, .tv_nsec = (long) ((ahead - (long) ahead) * 1e9)};
                nanosleep(&pause, NULL);
            }
        }
    }
}

int main(int argc, char **argv) {
    long dirty_mib = 0;
    long dirty_rate = 0;
    for (int i = 1; i < argc; i++) {
        if (i + 1 >= argc) {
            usage();
        }
        if (strcmp(argv[i], "--udp") == 0 && nfds < MAX_LISTENERS) {
            add_fd(bound_socket(SOCK_DGRAM, port_of(argv[++i])), UDP);
        } else if (strcmp(argv[i], "--tcp") == 0 && nfds < MAX_LISTENERS) {
            add_fd(bound_socket(SOCK_STREAM, port_of(argv[++i])), TCP_LISTENER);
        } else if (strcmp(argv[i], "--dirty") == 0) {
            char *end;
            dirty_mib = strtol(argv[++i], &end, 10);
            if (*end == ',') {
                dirty_rate = strtol(end + 1, &end, 10);
            }
            if (*end != '\0' || dirty_mib < 1 || dirty_rate < 0) {
                usage();
            }
        } else {
            usage();
        }
    }
    pid_t pid = fork();
    if (pid < 0) {
        die("fork");
    }
    if (pid > 0) {
        return 0;
    }
    setsid();
    if (dirty_mib > 0 && fork() == 0) {
        dirty(dirty_mib, dirty_rate);
    }
    for (;;) {
        if (poll(fds, (nfds_t) nfds, -1) < 0) {
            if (errno == EINTR) {
                continue;
            }
            die("poll");
        }
        for (int i = nfds - 1; i >= 0; i--) {
            if (fds[i].revents == 0) {
                continue;
            }
            switch (kinds[i]) {
                case UDP:
                    answer_udp(fds[i].fd);
                    break;
                case TCP_LISTENER:
                    accept_clients(fds[i].fd);
                    break;
                case TCP_CLIENT:
                    if (!echo_stream(fds[i].fd)) {
                        remove_fd(i);
                    }
                    break;
            }
        }
    }
}
