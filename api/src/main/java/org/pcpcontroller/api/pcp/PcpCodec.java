/*
 * Copyright (c) 2026 PCP Controller authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.pcpcontroller.api.pcp;

import static java.util.Objects.requireNonNull;

import java.nio.BufferOverflowException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.OptionalInt;
import java.util.Set;

/**
 * Decodes and encodes PCP messages, versions 1 (the pre-RFC draft without nonces) and 2 (RFC 6887).
 * Stateless and thread-safe. The common header (RFC 6887 section 7.1 and 7.2):
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |  Version = 2  |R|   Opcode    |   Reserved    |  Result Code  |  (request: 16 reserved bits)
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                 (Requested) Lifetime (32 bits)                |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |  request: PCP Client's IP Address (128 bits)                  |
 * |  response: Epoch Time (32 bits), Reserved (96 bits)            |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * :             Opcode-specific data, then options                :
 * </pre>
 */
public final class PcpCodec {
    public static final int VERSION_1 = 1;
    public static final int VERSION_2 = 2;
    /**
     * The highest version this codec speaks, put in UNSUPP_VERSION answers (RFC 6887 section 9).
     */
    public static final int HIGHEST_VERSION = VERSION_2;
    /**
     * Maximum size of any PCP message (RFC 6887 section 7).
     */
    public static final int MAX_MESSAGE_SIZE = 1100;
    public static final int HEADER_SIZE = 24;

    private static final int R_BIT = 0x80;

    private final PcpRegistry registry;

    public PcpCodec(final PcpRegistry registry) {
        this.registry = requireNonNull(registry);
    }

    /**
     * A codec with {@link PcpRegistry#standard()}.
     */
    public PcpCodec() {
        this(PcpRegistry.standard());
    }

    /**
     * Decodes a request as a server does, in the order of RFC 6887 section 8.3: fewer than two bytes or the R bit
     * set is dropped, then the version is checked, then the size, the opcode, the opcode data and the options.
     * The first error found wins.
     *
     * @param datagram the UDP payload as received
     */
    public PcpDecodeResult decodeRequest(final byte[] datagram) {
        if (datagram.length < 2) {
            return new PcpDecodeResult.Dropped("Datagram of " + datagram.length + " bytes has no opcode");
        }
        if ((datagram[1] & R_BIT) != 0) {
            return new PcpDecodeResult.Dropped("R bit set: a response, not a request");
        }
        final int version = Byte.toUnsignedInt(datagram[0]);
        if (version != VERSION_1 && version != VERSION_2) {
            return unsupportedVersion(version, datagram);
        }
        try {
            checkSize(datagram.length);
            final ByteBuffer buf = ByteBuffer.wrap(datagram);
            // skip version, opcode and the 16 reserved bits
            buf.position(4);
            final long lifetime = Integer.toUnsignedLong(buf.getInt());
            final var clientAddress = Wire.readAddress(buf);
            final OpcodeData data = parseData(version, datagram[1] & 0x7f, buf);
            return new PcpDecodeResult.Decoded(new PcpRequest(version, lifetime, clientAddress, data,
                parseOptions(buf)));
        } catch (PcpDecodeException e) {
            return new PcpDecodeResult.Failed(e.resultCode(), version, e.getMessage(), datagram);
        }
    }

    /**
     * Decodes a response as a client does. A failure here is never answered; its result code only classifies the
     * problem.
     *
     * @param datagram the UDP payload as received
     */
    public PcpDecodeResult decodeResponse(final byte[] datagram) {
        if (datagram.length < 2 || (datagram[1] & R_BIT) == 0) {
            return new PcpDecodeResult.Dropped("Not a response");
        }
        final int version = Byte.toUnsignedInt(datagram[0]);
        if (version != VERSION_1 && version != VERSION_2) {
            return unsupportedVersion(version, datagram);
        }
        try {
            checkSize(datagram.length);
            final ByteBuffer buf = ByteBuffer.wrap(datagram);
            buf.position(3);
            final ResultCode resultCode = ResultCode.valueOf(Byte.toUnsignedInt(buf.get()));
            final long lifetime = Integer.toUnsignedLong(buf.getInt());
            final long epochTime = Integer.toUnsignedLong(buf.getInt());
            buf.position(HEADER_SIZE);
            final OpcodeData data = parseData(version, datagram[1] & 0x7f, buf);
            return new PcpDecodeResult.Decoded(new PcpResponse(version, resultCode, lifetime, epochTime, data,
                parseOptions(buf)));
        } catch (PcpDecodeException e) {
            return new PcpDecodeResult.Failed(e.resultCode(), version, e.getMessage(), datagram);
        }
    }

    private static PcpDecodeResult unsupportedVersion(final int version, final byte[] datagram) {
        return new PcpDecodeResult.Failed(ResultCode.UNSUPP_VERSION, HIGHEST_VERSION,
            "Unsupported version " + version, datagram);
    }

    private static void checkSize(final int length) throws PcpDecodeException {
        if (length < HEADER_SIZE || length > MAX_MESSAGE_SIZE || length % 4 != 0) {
            throw new PcpDecodeException(ResultCode.MALFORMED_REQUEST, "Size " + length
                + " is shorter than 24, longer than 1100 or not a multiple of 4");
        }
    }

    private OpcodeData parseData(final int version, final int opcode, final ByteBuffer buf)
            throws PcpDecodeException {
        final var entry = registry.opcode(opcode);
        final var known = entry == null ? OptionalInt.empty() : entry.parser().length(version);
        if (entry == null || known.isEmpty()) {
            throw new PcpDecodeException(ResultCode.UNSUPP_OPCODE, "Opcode " + Opcode.valueOf(opcode)
                + " unsupported in version " + version);
        }
        final int length = known.getAsInt();
        if (buf.remaining() < length) {
            throw new PcpDecodeException(ResultCode.MALFORMED_REQUEST, "Opcode " + Opcode.valueOf(opcode)
                + " needs " + length + " bytes of data, " + buf.remaining() + " left");
        }
        final int start = buf.position();
        final OpcodeData data = entry.parser().parse(version, buf.slice(start, length));
        buf.position(start + length);
        return data;
    }

    // RFC 6887 section 7.3: header of code, reserved and length; the length excludes header and padding, and the
    // next option starts on a 4-byte boundary.
    private List<PcpOption> parseOptions(final ByteBuffer buf) throws PcpDecodeException {
        final List<PcpOption> options = new ArrayList<>();
        final Set<Integer> seen = new HashSet<>();
        while (buf.hasRemaining()) {
            if (buf.remaining() < 4) {
                throw new PcpDecodeException(ResultCode.MALFORMED_OPTION, "Truncated option header");
            }
            final int code = Byte.toUnsignedInt(buf.get());
            buf.get();
            final int length = Short.toUnsignedInt(buf.getShort());
            final int padded = length + 3 & ~3;
            if (padded > buf.remaining()) {
                throw new PcpDecodeException(ResultCode.MALFORMED_OPTION, "Option " + code + " of length " + length
                    + " overruns the message");
            }
            final ByteBuffer data = buf.slice(buf.position(), length);
            buf.position(buf.position() + padded);

            final var entry = registry.optionByCode(code);
            if (entry == null) {
                if (!PcpOption.isOptional(code)) {
                    throw new PcpDecodeException(ResultCode.UNSUPP_OPTION, "Unsupported mandatory option " + code);
                }
                final byte[] bytes = new byte[length];
                data.get(bytes);
                options.add(new UnknownOption(code, bytes));
                continue;
            }
            if (!entry.repeatable() && !seen.add(code)) {
                throw new PcpDecodeException(ResultCode.MALFORMED_OPTION, "Option " + code + " appears twice");
            }
            options.add(entry.parser().parse(data));
        }
        return options;
    }

    /**
     * Encodes a request or a response.
     *
     * @throws IllegalArgumentException if the message uses an unregistered opcode or option, cannot be expressed in
     *     its version, or does not fit in 1100 bytes
     */
    public byte[] encode(final PcpMessage message) {
        final ByteBuffer out = ByteBuffer.allocate(MAX_MESSAGE_SIZE);
        try {
            switch (message) {
                case PcpRequest request -> {
                    out.put((byte) request.version()).put((byte) request.opcode().code()).putShort((short) 0)
                        .putInt((int) request.requestedLifetime());
                    Wire.writeAddress(out, request.clientAddress());
                }
                case PcpResponse response -> out.put((byte) response.version())
                    .put((byte) (R_BIT | response.opcode().code())).put((byte) 0)
                    .put((byte) response.resultCode().code()).putInt((int) response.lifetime())
                    .putInt((int) response.epochTime()).put(new byte[12]);
            }
            final var entry = registry.opcode(message.opcode().code());
            if (entry == null) {
                throw new IllegalArgumentException("Opcode " + message.opcode() + " is not registered");
            }
            entry.serializer().serialize(message.version(), message.data(), out);
            for (PcpOption option : message.options()) {
                encodeOption(option, out);
            }
        } catch (BufferOverflowException e) {
            throw new IllegalArgumentException("Message exceeds " + MAX_MESSAGE_SIZE + " bytes", e);
        }
        final byte[] bytes = new byte[out.position()];
        out.flip().get(bytes);
        return bytes;
    }

    private void encodeOption(final PcpOption option, final ByteBuffer out) {
        final int start = out.position();
        if (option instanceof UnknownOption unknown) {
            out.put((byte) unknown.code()).put((byte) 0).putShort((short) 0).put(unknown.data());
        } else {
            final var entry = registry.optionByType(option.getClass());
            if (entry == null) {
                throw new IllegalArgumentException("Option " + option.getClass().getSimpleName()
                    + " is not registered");
            }
            out.put((byte) entry.code()).put((byte) 0).putShort((short) 0);
            entry.serializer().serialize(option, out);
        }
        final int length = out.position() - start - 4;
        if (length > 65535) {
            throw new IllegalArgumentException("Option data of " + length + " bytes exceeds 65535");
        }
        out.putShort(start + 2, (short) length);
        out.put(new byte[-length & 3]);
    }

    /**
     * The unsolicited ANNOUNCE response (RFC 6887 section 14.1.3) a server multicasts after a restart or an epoch
     * reset: version 2, SUCCESS, lifetime 0, no data.
     *
     * @param epochTime the server's epoch time
     */
    public byte[] unsolicitedAnnounce(final long epochTime) {
        return encode(new PcpResponse(VERSION_2, ResultCode.SUCCESS, 0, epochTime, new AnnounceData(), List.of()));
    }

    /**
     * An error response as RFC 6887 section 8.3 asks for: a copy of the request, with the header filled in (R bit,
     * result code, lifetime, epoch time, reserved fields zeroed). The copy is cut to 1100 bytes, padded with zeros
     * to a multiple of 4 and to at least the 24-byte header, so that it is always a well-formed PCP message.
     *
     * @param request the request as received
     * @param version version to answer with: the request's, or {@link #HIGHEST_VERSION} for UNSUPP_VERSION
     * @param resultCode the error
     * @param lifetime how long the error is expected to last (RFC 6887 section 7.4: long or short)
     * @param epochTime the server's epoch time
     */
    public static byte[] errorResponse(final byte[] request, final int version, final ResultCode resultCode,
            final long lifetime, final long epochTime) {
        Wire.checkU32(lifetime, "Lifetime");
        Wire.checkU32(epochTime, "Epoch time");
        final int copied = Math.min(request.length, MAX_MESSAGE_SIZE);
        final byte[] response = new byte[Math.max(HEADER_SIZE, copied + 3 & ~3)];
        System.arraycopy(request, 0, response, 0, copied);
        final int opcode = request.length > 1 ? request[1] & 0x7f : 0;
        ByteBuffer.wrap(response).put((byte) version).put((byte) (R_BIT | opcode)).put((byte) 0)
            .put((byte) resultCode.code()).putInt((int) lifetime).putInt((int) epochTime).put(new byte[12]);
        return response;
    }
}
