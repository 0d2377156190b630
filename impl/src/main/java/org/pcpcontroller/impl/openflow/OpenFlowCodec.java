/*
 * Copyright (c) 2026 PCP Controller authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.pcpcontroller.impl.openflow;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.MessageToByteEncoder;
import java.util.List;
import org.eclipse.jdt.annotation.Nullable;
import org.projectfloodlight.openflow.exceptions.OFParseError;
import org.projectfloodlight.openflow.protocol.OFFactories;
import org.projectfloodlight.openflow.protocol.OFMessage;
import org.projectfloodlight.openflow.protocol.OFMessageReader;
import org.projectfloodlight.openflow.protocol.OFVersion;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * OpenFlow framing on a TCP stream: every message starts with the common header (version, type, 16-bit length,
 * xid; OpenFlow 1.3 section 7.1), so a message is complete once {@code length} bytes are buffered.
 */
final class OpenFlowCodec {
    private static final Logger LOG = LoggerFactory.getLogger(OpenFlowCodec.class);
    /** The common header: version, type, length, xid. */
    static final int HEADER_LENGTH = 8;
    /** OFPT_MULTIPART_REPLY in OpenFlow 1.3 to 1.5. */
    private static final int MULTIPART_REPLY = 19;
    /** OFPMP_METER_FEATURES in OpenFlow 1.3 to 1.5. */
    private static final int METER_FEATURES = 11;

    private OpenFlowCodec() {
        // utility
    }

    /**
     * A message openflowj could not parse. It is kept (rather than dropped) because the session must still answer
     * it: a HELLO of a version openflowj does not know must be negotiated, and a request must get an error.
     */
    record Unparsed(int version, int type, long xid, String reason) {
        /** OFPT_HELLO, whose number is the same in every version. */
        static final int HELLO = 0;
    }

    /**
     * Splits the stream into messages and parses each with openflowj's version-dispatching reader.
     */
    static final class Decoder extends ByteToMessageDecoder {
        private static final OFMessageReader<OFMessage> READER = OFFactories.getGenericReader();

        @Override
        protected void decode(final ChannelHandlerContext ctx, final ByteBuf in, final List<Object> out) {
            while (in.readableBytes() >= HEADER_LENGTH) {
                final int start = in.readerIndex();
                final int length = in.getUnsignedShort(start + 2);
                if (length < HEADER_LENGTH) {
                    // The stream cannot be resynchronised after a bad length: the connection has to go. Closed here
                    // rather than thrown, so that nothing a switch sends makes an exception leave the pipeline.
                    LOG.warn("OpenFlow peer {} sent a message length {} below the header; closing",
                        ctx.channel().remoteAddress(), length);
                    in.skipBytes(in.readableBytes());
                    ctx.close();
                    return;
                }
                if (in.readableBytes() < length) {
                    return;
                }
                final var message = in.retainedSlice(start, length);
                in.skipBytes(length);
                try {
                    final var parsed = READER.readFrom(message);
                    out.add(parsed != null ? parsed : unparsed(message, "unknown message type"));
                } catch (OFParseError | IllegalArgumentException | IndexOutOfBoundsException e) {
                    final var tolerated = meterFeaturesInOpenFlow13Layout(message);
                    out.add(tolerated != null ? tolerated : unparsed(message, String.valueOf(e.getMessage())));
                } finally {
                    message.release();
                }
            }
        }

        /**
         * Open vSwitch (3.1 at least) answers an OpenFlow 1.5 OFPMP_METER_FEATURES request with the OpenFlow 1.3 body:
         * 16 bytes, without the {@code features} word and padding that 1.5 added (section 7.3.5.13), so the message
         * is 32 bytes where openflowj wants 40. Every field it does carry is where 1.5 has it: read those. Without
         * this, a switch speaking 1.5 never got its punt flows (the session waited for the meter features).
         */
        static @Nullable OFMessage meterFeaturesInOpenFlow13Layout(final ByteBuf message) {
            // the reader may have moved on before it failed: look at the message as a whole
            if (message.capacity() != 32 || message.getUnsignedByte(0) != OFVersion.OF_15.getWireVersion()
                    || message.getUnsignedByte(1) != MULTIPART_REPLY || message.getUnsignedShort(8) != METER_FEATURES) {
                return null;
            }
            final var factory = OFFactories.getFactory(OFVersion.OF_15);
            return factory.buildMeterFeaturesStatsReply()
                .setXid(message.getUnsignedInt(4))
                .setFeatures(factory.buildMeterFeatures()
                    .setMaxMeter(message.getUnsignedInt(16))
                    .setBandTypes(message.getUnsignedInt(20))
                    .setCapabilities(message.getUnsignedInt(24))
                    .setMaxBands(message.getUnsignedByte(28))
                    .setMaxColor(message.getUnsignedByte(29))
                    .build())
                .build();
        }

        private static Unparsed unparsed(final ByteBuf message, final String reason) {
            final int start = 0;
            return new Unparsed(message.getUnsignedByte(start), message.getUnsignedByte(start + 1),
                message.getUnsignedInt(start + 4), reason);
        }
    }

    /**
     * Writes openflowj messages.
     */
    static final class Encoder extends MessageToByteEncoder<OFMessage> {
        Encoder() {
            super(OFMessage.class);
        }

        @Override
        protected void encode(final ChannelHandlerContext ctx, final OFMessage msg, final ByteBuf out) {
            msg.writeTo(out);
        }
    }
}
