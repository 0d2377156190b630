/*
 * Copyright (c) 2026 PCP Controller authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.pcpcontroller.impl.mappinglog;

import com.google.common.net.InetAddresses;
import java.net.InetAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import org.eclipse.jdt.annotation.Nullable;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.gateway.rev261123.IpProtocol;
import org.pcpcontroller.api.mapping.MappingKey;
import org.pcpcontroller.api.mapping.Origin;

/**
 * Words a mapping event as one log line, in the spirit of miniupnpd's syslog lines. For example:
 *
 * <pre>
 * gateway=home-17 added UDP 192.168.1.10:5000 -&gt; 198.51.100.7:5000 lifetime 3600 s (nat-pmp)
 * gateway=home-17 expired TCP [2001:db8:1::10]:22 -&gt; [2001:db8:ff::1]:2222 lifetime 0 s (pcp, nonce ...)
 * gateway=home-17 removed TCP 192.168.1.10:22 -&gt; 198.51.100.7:10022 static (operator, "ssh to the NAS")
 * </pre>
 *
 * <p>The format is part of the product (docs/logging.md): operators and their scripts grep for {@code gateway=ID},
 * the event word, an endpoint as {@code address:port} (IPv6 in brackets, as in a URI) and the nonce. Fixed words
 * come first, free text last: the description is the client's, so it is quoted, escaped (no line breaks, no control
 * or bidi characters can forge or hide a line) and cut short.
 */
public final class MappingLogLine {
    /** Code points of a description kept: enough to recognise it, not the 1036 the model allows. */
    static final int DESCRIPTION_MAX = 80;
    /** The model's protocol names (pcp-gateway ip-protocol), in capitals as miniupnpd logs them; else the number. */
    private static final String[] PROTOCOLS = new String[256];

    static {
        for (int i = 0; i < PROTOCOLS.length; i++) {
            final var known = IpProtocol.forValue(i);
            PROTOCOLS[i] = known != null ? known.getName().toUpperCase(Locale.ROOT) : Integer.toString(i);
        }
    }

    private MappingLogLine() {
        // utility class
    }

    /**
     * The log line of an event, without a line break.
     */
    public static String format(final MappingEvent event) {
        final var mapping = event.mapping();
        final var key = mapping.key();
        final var line = new StringBuilder(160).append("gateway=").append(key.gateway()).append(' ')
            .append(event.kind().word()).append(' ').append(PROTOCOLS[key.protocol()]).append(' ');
        endpoint(line, key.internalAddress(), key.internalPort()).append(" -> ");
        endpoint(line, mapping.externalAddress(), mapping.externalPort());
        if (key instanceof MappingKey.Peer peer) {
            endpoint(line.append(" peer "), peer.remotePeerAddress(), peer.remotePeerPort());
        }
        final var expires = mapping.expires();
        if (expires == null) {
            line.append(" static");
        } else {
            line.append(" lifetime ").append(lifetimeSeconds(event.at(), expires)).append(" s");
        }
        line.append(" (").append(origin(mapping.origin()));
        final var client = mapping.clientAddress();
        if (client != null && !client.equals(key.internalAddress())) {
            // THIRD_PARTY (RFC 6887 section 13.1): who asked, when it is not the internal host
            line.append(", client ").append(InetAddresses.toAddrString(client));
        }
        final var nonce = mapping.nonce();
        if (nonce != null) {
            line.append(", nonce ").append(nonce.toHex());
        }
        final var description = mapping.description();
        if (description != null && !description.isEmpty()) {
            quote(line.append(", "), description);
        }
        return line.append(')').toString();
    }

    /**
     * The lease left at {@code at}, in whole seconds rounded up: a lease granted for 3600 s and stored a few
     * milliseconds later still reads 3600, as the client was told; an ended one reads 0.
     */
    static long lifetimeSeconds(final Instant at, final Instant expires) {
        final var left = Duration.between(at, expires);
        if (left.isNegative() || left.isZero()) {
            return 0;
        }
        return left.getSeconds() + (left.getNano() > 0 ? 1 : 0);
    }

    private static StringBuilder endpoint(final StringBuilder line, final InetAddress address, final int port) {
        return line.append(InetAddresses.toUriString(address)).append(':').append(port);
    }

    private static String origin(final Origin origin) {
        // the model's names (pcp-mapping origin), as RESTCONF shows them
        return switch (origin) {
            case PCP -> "pcp";
            case NAT_PMP -> "nat-pmp";
            case OPERATOR -> "operator";
        };
    }

    private static void quote(final StringBuilder line, final String text) {
        line.append('"');
        final int length = text.length();
        int index = 0;
        for (int kept = 0; index < length && kept < DESCRIPTION_MAX; kept++) {
            final int codePoint = text.codePointAt(index);
            index += Character.charCount(codePoint);
            final var escape = escape(codePoint);
            if (escape != null) {
                line.append(escape);
            } else {
                line.appendCodePoint(codePoint);
            }
        }
        if (index < length) {
            line.append("...");
        }
        line.append('"');
    }

    private static @Nullable String escape(final int codePoint) {
        return switch (codePoint) {
            case '"' -> "\\\"";
            case '\\' -> "\\\\";
            case '\n' -> "\\n";
            case '\r' -> "\\r";
            case '\t' -> "\\t";
            default -> {
                final int type = Character.getType(codePoint);
                // controls, line and paragraph separators, and format characters (bidi overrides, zero widths)
                yield Character.isISOControl(codePoint) || type == Character.LINE_SEPARATOR
                    || type == Character.PARAGRAPH_SEPARATOR || type == Character.FORMAT
                    ? String.format(Locale.ROOT, "\\u%04x", codePoint) : null;
            }
        };
    }
}
