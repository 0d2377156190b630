/*
 * Copyright (c) 2026 PCP Controller authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.pcpcontroller.impl.ingress.openflow.frame;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;
import static org.pcpcontroller.impl.ingress.openflow.frame.TestFrames.decoded;
import static org.pcpcontroller.impl.ingress.openflow.frame.TestFrames.hex;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A second opinion from Wireshark, when it is installed: encoded answers and announcements, written to a pcap with
 * text2pcap, dissect with the expected addresses and ports and with IPv4 and UDP checksums tshark calls good.
 * Skipped when tshark or text2pcap is not on the PATH.
 */
class FrameTsharkCrossCheckTest {
    private static boolean onPath(final String command) {
        final String path = System.getenv("PATH");
        if (path == null) {
            return false;
        }
        for (String directory : path.split(File.pathSeparator)) {
            if (Files.isExecutable(Path.of(directory, command))) {
                return true;
            }
        }
        return false;
    }

    private static List<String> run(final Path directory, final String... command)
            throws IOException, InterruptedException {
        final var process = new ProcessBuilder(command).directory(directory.toFile())
            .redirectError(directory.resolve("stderr.txt").toFile()).start();
        final String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assumeTrue(process.waitFor(60, TimeUnit.SECONDS), "timed out: " + String.join(" ", command));
        assertEquals(0, process.exitValue(), () -> String.join(" ", command) + " failed");
        return output.lines().toList();
    }

    @Test
    void tsharkAgrees(@TempDir final Path directory) throws IOException, InterruptedException {
        assumeTrue(onPath("tshark") && onPath("text2pcap"), "tshark or text2pcap not installed");
        final List<byte[]> frames = List.of(
            FrameCodec.encodeReply(decoded(hex(TestFrames.NATPMP_REQUEST)), hex(TestFrames.NATPMP_REPLY_PAYLOAD)),
            FrameCodec.encodeReply(decoded(hex(TestFrames.PCP4_QINQ_REQUEST)), new byte[60]),
            FrameCodec.encodeReply(decoded(hex(TestFrames.PCP6_MAP_REQUEST)), hex(TestFrames.PCP6_MAP_REPLY_PAYLOAD)),
            FrameCodec.encodeMulticast(hex(TestFrames.GATEWAY_MAC), new int[] { 0x81000007 },
                TestFrames.socket("fe80::1", 5351), TestFrames.socket("ff02::1", 5350),
                hex(TestFrames.ANNOUNCE_PAYLOAD)));
        final var text = new ArrayList<String>();
        final var format = HexFormat.ofDelimiter(" ");
        for (byte[] frame : frames) {
            // text2pcap: one packet per offset-0 line
            text.add("000000 " + format.formatHex(frame));
        }
        Files.write(directory.resolve("frames.txt"), text);
        run(directory, "text2pcap", "-q", "frames.txt", "frames.pcap");
        final List<String> lines = run(directory, "tshark", "-r", "frames.pcap", "-o", "ip.check_checksum:TRUE",
            "-o", "udp.check_checksum:TRUE", "-T", "fields", "-E", "separator=,", "-e", "ip.src", "-e", "ipv6.src",
            "-e", "ip.dst", "-e", "ipv6.dst", "-e", "udp.srcport", "-e", "udp.dstport", "-e", "ip.checksum.status",
            "-e", "udp.checksum.status", "-e", "udp.length");
        // checksum status 1 is "Good" in Wireshark's proto_checksum_enum_e
        assertEquals(List.of(
            "10.0.0.1,,10.0.0.2,,5351,41493,1,1,20",
            "10.20.40.1,,10.20.40.2,,5351,5350,1,1,68",
            ",2001:db8::1,,2001:db8::2,5351,5350,,1,68",
            ",fe80::1,,ff02::1,5351,5350,,1,32"), lines);
    }
}
