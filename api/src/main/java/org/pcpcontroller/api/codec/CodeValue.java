/*
 * Copyright (c) 2026 PCP Controller authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.pcpcontroller.api.codec;

import static java.util.Objects.requireNonNull;

/**
 * A protocol code as a value, in the manner of Netty's {@code DnsOpCode}: each subclass has canonical constants for
 * the codes it knows and makes an "UNKNOWN(n)" instance for any other, so that unknown codes survive a round trip.
 * Two values are equal when they are of the same kind and carry the same code.
 *
 * @param <T> the kind of code
 */
public abstract class CodeValue<T extends CodeValue<T>> implements Comparable<T> {
    private final int code;
    private final String name;

    protected CodeValue(final int code, final String name) {
        this.code = code;
        this.name = requireNonNull(name);
    }

    /**
     * The name used for a code without a constant.
     */
    protected static String unknownName(final int code) {
        return "UNKNOWN(" + code + ")";
    }

    public final int code() {
        return code;
    }

    public final String name() {
        return name;
    }

    @Override
    public final int compareTo(final T other) {
        return Integer.compare(code, other.code());
    }

    @Override
    public final boolean equals(final Object obj) {
        return this == obj || obj != null && obj.getClass() == getClass() && code == ((CodeValue<?>) obj).code;
    }

    @Override
    public final int hashCode() {
        return Integer.hashCode(code);
    }

    @Override
    public final String toString() {
        return name;
    }
}
