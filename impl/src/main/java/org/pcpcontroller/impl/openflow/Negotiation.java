/*
 * Copyright (c) 2026 PCP Controller authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.pcpcontroller.impl.openflow;

import java.util.List;
import org.eclipse.jdt.annotation.Nullable;
import org.projectfloodlight.openflow.protocol.OFFactories;
import org.projectfloodlight.openflow.protocol.OFHello;
import org.projectfloodlight.openflow.protocol.OFHelloElemVersionbitmap;
import org.projectfloodlight.openflow.protocol.OFVersion;
import org.projectfloodlight.openflow.types.U32;

/**
 * OpenFlow version negotiation (OpenFlow 1.3.1 section 6.3.1 and later): both sides send HELLO with the highest
 * version they speak and, from 1.3.1 on, a bitmap of every version they speak; the highest version both bitmaps
 * share is used. Without a bitmap the lower of the two header versions is.
 */
final class Negotiation {
    /** OpenFlow 1.3, 1.4 and 1.5: the versions this controller speaks (wire versions 4, 5, 6). */
    static final int OUR_VERSIONS = 1 << 4 | 1 << 5 | 1 << 6;
    private static final OFVersion HIGHEST = OFVersion.OF_15;
    private static final @Nullable OFVersion[] BY_WIRE = new OFVersion[8];

    static {
        for (var version : OFVersion.values()) {
            if (version.getWireVersion() < BY_WIRE.length) {
                BY_WIRE[version.getWireVersion()] = version;
            }
        }
    }

    /**
     * What negotiation decided.
     */
    sealed interface Outcome {
        /** Both speak this version. */
        record Agreed(OFVersion version) implements Outcome {
        }

        /**
         * No version in common. The switch is told so (HELLO_FAILED / INCOMPATIBLE) in its own version, if openflowj
         * can write that version.
         */
        record Incompatible(@Nullable OFVersion theirs, String offered) implements Outcome {
        }
    }

    private Negotiation() {
        // utility
    }

    /**
     * Our HELLO: the highest version we speak in the header, every version in the bitmap.
     */
    static OFHello hello(final long xid) {
        final var factory = OFFactories.getFactory(HIGHEST);
        return factory.buildHello()
            .setXid(xid)
            .setElements(List.of(factory.helloElemVersionbitmap(List.of(U32.of(OUR_VERSIONS)))))
            .build();
    }

    /**
     * The version bitmap of a switch's HELLO; 0 when it has none.
     */
    static int bitmap(final OFHello hello) {
        if (hello.getVersion().compareTo(OFVersion.OF_13) < 0) {
            // OpenFlow 1.0 to 1.2 HELLOs have no elements
            return 0;
        }
        int bits = 0;
        for (var element : hello.getElements()) {
            if (element instanceof OFHelloElemVersionbitmap versions && !versions.getBitmaps().isEmpty()) {
                // the first 32-bit word covers versions 0-31: all there are
                bits |= (int) versions.getBitmaps().getFirst().getValue();
            }
        }
        return bits;
    }

    /**
     * Decides the version from the switch's HELLO header version and bitmap (0: none).
     */
    static Outcome negotiate(final int theirVersion, final int theirBitmap) {
        final int common = theirBitmap != 0 ? theirBitmap & OUR_VERSIONS
            : theirVersion >= 0 && theirVersion < 31 ? 1 << Math.min(theirVersion, HIGHEST.getWireVersion())
                & OUR_VERSIONS : 0;
        if (common == 0) {
            return new Outcome.Incompatible(theirVersion >= 0 && theirVersion < BY_WIRE.length ? BY_WIRE[theirVersion]
                : null, "version 0x" + Integer.toHexString(theirVersion) + ", bitmap 0x"
                    + Integer.toHexString(theirBitmap));
        }
        final var version = BY_WIRE[31 - Integer.numberOfLeadingZeros(common)];
        if (version == null) {
            // cannot happen: OUR_VERSIONS names versions openflowj knows
            throw new IllegalStateException("no openflowj version for bitmap " + common);
        }
        return new Outcome.Agreed(version);
    }
}
