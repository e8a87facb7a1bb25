package io.cutover.demo;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;

/** The VM's long-lived TCP service in the demo: echoes what each connection sends. */
public final class TcpEchoServer implements AutoCloseable {
    private final ServerSocket server;
    private final Thread acceptor;

    private TcpEchoServer(ServerSocket server) {
        this.server = server;
        this.acceptor = new Thread(this::accept, "tcp-echo");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    /** Listens on {@code port} in the calling thread's namespace. */
    public static TcpEchoServer start(int port) throws IOException {
        ServerSocket server = new ServerSocket();
        server.setReuseAddress(true);
        server.bind(new InetSocketAddress(port));
        return new TcpEchoServer(server);
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket socket = server.accept();
                Thread echo = new Thread(() -> echo(socket), "tcp-echo-conn");
                echo.setDaemon(true);
                echo.start();
            } catch (IOException e) {
                return;
            }
        }
    }

    private static void echo(Socket socket) {
        try (socket; InputStream in = socket.getInputStream(); OutputStream out = socket.getOutputStream()) {
            byte[] buffer = new byte[4096];
            int read;
            while ((read = in.read(buffer)) > 0) {
                out.write(buffer, 0, read);
                out.flush();
            }
        } catch (IOException closed) {
            // the client went away
        }
    }

    /** Stops listening; returns once the accepting thread, which releases the port, has ended. */
    @Override
    public void close() throws IOException {
        server.close();
        try {
            acceptor.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
