package io.cutover.it.lab;

import io.cutover.it.LabExtension;
import io.cutover.lab.Lab;
import io.cutover.support.Netns;
import io.cutover.lab.Topology;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.SOARecord;
import org.xbill.DNS.TSIG;
import org.xbill.DNS.Type;
import org.xbill.DNS.Update;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.file.Files;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/** The LAN lab carries traffic across its bridges and serves (and takes updates to) its DNS zone. */
class LanLabIT {
    @RegisterExtension
    static final LabExtension LAB = LabExtension.of(Topology.LAN);

    @Test
    void clientReachesTheVmAcrossTheTorAndHostBridges() {
        Lab lab = LAB.lab();
        lab.exec("client", "ping", "-c", "3", "-i", "0.2", "-W", "2", lab.port("vm1").ipv4Address()).orThrow();
        lab.exec("client", "ping", "-6", "-c", "2", "-i", "0.2", "-W", "2", lab.port("vm1").ipv6Address()).orThrow();
        assertThat(lab.neighbours("client"))
                .anySatisfy(n -> {
                    assertThat(n.address()).isEqualTo(lab.port("vm1").ipv4Address());
                    assertThat(n.mac()).isEqualTo(Topology.VM_MAC);
                });
    }

    @Test
    void tcpCrossesTheUserspaceDatapath() {
        Lab lab = LAB.lab();
        String vm = lab.port("vm1").ipv4Address();
        // A 2 MB transfer through two OVS bridges; TCP fails here when checksum offload is left on.
        lab.exec("vm1", "sh", "-c", "timeout 10 python3 -c \"import socket;s=socket.socket();"
                + "s.setsockopt(socket.SOL_SOCKET,socket.SO_REUSEADDR,1);s.bind(('0.0.0.0',5001));s.listen();"
                + "c,_=s.accept();n=0\nwhile True:\n  b=c.recv(65536)\n  if not b: break\n  n+=len(b)\n"
                + "open('/tmp/cutover-it-received','w').write(str(n))\" >/dev/null 2>&1 &").orThrow();
        var send = lab.exec("client", "timeout", "10", "python3", "-c",
                "import socket,time\nfor i in range(50):\n  try:\n    s=socket.create_connection(('" + vm
                        + "',5001),timeout=5);break\n  except OSError: time.sleep(0.1)\n"
                        + "s.sendall(b'x'*2000000);s.close();print('sent')");
        assertThat(send.stdout()).as(send.stderr()).contains("sent");
    }

    @Test
    void dnsjavaQueryReturnsTheZonesSoa() throws Exception {
        Lab lab = LAB.lab();
        try (Netns client = lab.netns("client")) {
            Message answer = send(client, lab,
                    Message.newQuery(Record.newRecord(Name.fromString(Topology.ZONE), Type.SOA, DClass.IN)), null);
            assertThat(answer.getRcode()).isEqualTo(Rcode.NOERROR);
            List<Record> records = answer.getSection(Section.ANSWER);
            assertThat(records).hasSize(1).first().isInstanceOf(SOARecord.class);
            assertThat(((SOARecord) records.get(0)).getHost().toString()).isEqualTo("ns1." + Topology.ZONE);
        }
    }

    @Test
    void aTsigSignedUpdateWithTheLabKeyChangesARecord() throws Exception {
        Lab lab = LAB.lab();
        Name zone = Name.fromString(Topology.ZONE);
        Name host = Name.fromString("it-host", zone);
        String newAddress = "198.18.0.123";
        try (Netns client = lab.netns("client")) {
            Update update = new Update(zone);
            update.replace(host, Type.A, 60, newAddress);
            Message response = send(client, lab, update, labKey(lab));
            assertThat(Rcode.string(response.getRcode())).isEqualTo("NOERROR");

            Message answer = send(client, lab, Message.newQuery(Record.newRecord(host, Type.A, DClass.IN)), null);
            assertThat(answer.getSection(Section.ANSWER)).singleElement()
                    .isInstanceOfSatisfying(ARecord.class,
                            a -> assertThat(a.getAddress().getHostAddress()).isEqualTo(newAddress));
        }
    }

    @Test
    void anUpdateWithAWrongKeyIsRefused() throws Exception {
        Lab lab = LAB.lab();
        Name zone = Name.fromString(Topology.ZONE);
        try (Netns client = lab.netns("client")) {
            Update update = new Update(zone);
            update.replace(Name.fromString("intruder", zone), Type.A, 60, "198.18.0.66");
            Message response = send(client, lab, update, new TSIG(TSIG.HMAC_SHA256, Topology.TSIG_KEY_NAME,
                    "c2VjcmV0LXRoYXQtaXMtbm90LXRoZS1sYWJzLWtleS0xMjM0NTY3OA=="));
            assertThat(response.getRcode()).isEqualTo(Rcode.NOTAUTH);
        }
    }

    /**
     * Sends {@code query} to the lab's BIND over UDP from a socket opened on the namespace's own thread, and
     * returns the answer (dnsjava only builds and parses the messages: its resolver opens sockets on shared
     * threads, which may live in another namespace). Retries twice; signs with {@code key} when given.
     */
    private static Message send(Netns namespace, Lab lab, Message query, TSIG key) {
        return namespace.call(() -> {
            if (key != null) {
                key.apply(query, null);
            }
            byte[] wire = query.toWire(Message.MAXLENGTH);
            try (DatagramChannel channel = DatagramChannel.open()) {
                channel.connect(new InetSocketAddress(lab.dnsServer(), 53));
                channel.configureBlocking(false);
                try (Selector selector = Selector.open()) {
                    channel.register(selector, SelectionKey.OP_READ);
                    for (int attempt = 0; attempt < 3; attempt++) {
                        channel.write(ByteBuffer.wrap(wire));
                        if (selector.select(3_000) > 0) {
                            ByteBuffer answer = ByteBuffer.allocate(65535);
                            channel.read(answer);
                            answer.flip();
                            byte[] bytes = new byte[answer.remaining()];
                            answer.get(bytes);
                            return new Message(bytes);
                        }
                    }
                }
            }
            throw new java.net.SocketTimeoutException("no answer from the lab's BIND in 3 attempts");
        });
    }

    private static TSIG labKey(Lab lab) throws Exception {
        String file = Files.readString(lab.tsigKeyFile());
        Matcher secret = Pattern.compile("secret \"([^\"]+)\"").matcher(file);
        assertThat(secret.find()).as("a secret in %s", lab.tsigKeyFile()).isTrue();
        return new TSIG(TSIG.HMAC_SHA256, Topology.TSIG_KEY_NAME, secret.group(1));
    }
}
