/*
 * Copyright (c) 2026 PCP Controller authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.pcpcontroller.api.pcp;

import static java.util.Objects.requireNonNull;

import java.util.HashMap;
import java.util.Map;
import org.eclipse.jdt.annotation.Nullable;

/**
 * The opcodes and options the codec understands, in the manner of bgpcep's {@code SimpleTlvRegistry}. Immutable once
 * built. An opcode missing here is answered with UNSUPP_OPCODE; a missing mandatory option (code below 128) with
 * UNSUPP_OPTION; a missing optional option is kept as an {@link UnknownOption}.
 */
public final class PcpRegistry {
    /**
     * One registered option kind.
     *
     * @param code option code
     * @param type option class
     * @param parser parser of the data
     * @param serializer serializer of the data
     * @param repeatable whether the option may appear more than once in a message (RFC 6887 section 7.3)
     */
    record OptionEntry(int code, Class<? extends PcpOption> type, OptionParser parser, OptionSerializer serializer,
            boolean repeatable) {
        OptionEntry {
            requireNonNull(type);
            requireNonNull(parser);
            requireNonNull(serializer);
        }
    }

    /**
     * One registered opcode.
     *
     * @param parser parser of the opcode data
     * @param serializer serializer of the opcode data
     */
    record OpcodeEntry(OpcodeParser parser, OpcodeSerializer serializer) {
        OpcodeEntry {
            requireNonNull(parser);
            requireNonNull(serializer);
        }
    }

    /**
     * Collects registrations.
     */
    public static final class Builder {
        private final Map<Integer, OptionEntry> optionsByCode = new HashMap<>();
        private final Map<Class<? extends PcpOption>, OptionEntry> optionsByType = new HashMap<>();
        private final Map<Integer, OpcodeEntry> opcodes = new HashMap<>();

        private Builder() {
            // use PcpRegistry.builder()
        }

        /**
         * Registers an option kind.
         *
         * @throws IllegalArgumentException if the code or the class is already registered
         */
        public Builder registerOption(final int code, final Class<? extends PcpOption> type, final OptionParser parser,
                final OptionSerializer serializer, final boolean repeatable) {
            if (code < 0 || code > 255) {
                throw new IllegalArgumentException("Option code " + code + " out of range 0..255");
            }
            if (type == UnknownOption.class) {
                throw new IllegalArgumentException("UnknownOption is what unregistered codes decode to");
            }
            if (optionsByCode.containsKey(code) || optionsByType.containsKey(type)) {
                throw new IllegalArgumentException("Option " + code + " / " + type.getSimpleName()
                    + " already registered");
            }
            final var entry = new OptionEntry(code, type, parser, serializer, repeatable);
            optionsByCode.put(code, entry);
            optionsByType.put(type, entry);
            return this;
        }

        /**
         * Registers an opcode.
         *
         * @throws IllegalArgumentException if the opcode is already registered
         */
        public Builder registerOpcode(final Opcode opcode, final OpcodeParser parser,
                final OpcodeSerializer serializer) {
            if (opcodes.putIfAbsent(opcode.code(), new OpcodeEntry(parser, serializer)) != null) {
                throw new IllegalArgumentException("Opcode " + opcode + " already registered");
            }
            return this;
        }

        public PcpRegistry build() {
            return new PcpRegistry(this);
        }
    }

    private final Map<Integer, OptionEntry> optionsByCode;
    private final Map<Class<? extends PcpOption>, OptionEntry> optionsByType;
    private final Map<Integer, OpcodeEntry> opcodes;

    private PcpRegistry(final Builder builder) {
        optionsByCode = Map.copyOf(builder.optionsByCode);
        optionsByType = Map.copyOf(builder.optionsByType);
        opcodes = Map.copyOf(builder.opcodes);
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * ANNOUNCE, MAP, PEER and the options THIRD_PARTY, PREFER_FAILURE, FILTER, DESCRIPTION and FLOW_PRIORITY with
     * libpcp's code 99.
     */
    public static PcpRegistry standard() {
        return standard(FlowPriorityOption.LIBPCP_CODE);
    }

    /**
     * As {@link #standard()}, with FLOW_PRIORITY under the given code (4 to match miniupnpd).
     */
    public static PcpRegistry standard(final int flowPriorityCode) {
        return standardBuilder(flowPriorityCode).build();
    }

    /**
     * A builder preloaded as {@link #standard(int)}, for adding more.
     */
    public static Builder standardBuilder(final int flowPriorityCode) {
        return builder()
            .registerOpcode(Opcode.ANNOUNCE, StandardHandlers.ANNOUNCE, StandardHandlers.ANNOUNCE)
            .registerOpcode(Opcode.MAP, StandardHandlers.MAP, StandardHandlers.MAP)
            .registerOpcode(Opcode.PEER, StandardHandlers.PEER, StandardHandlers.PEER)
            .registerOption(ThirdPartyOption.CODE, ThirdPartyOption.class, StandardHandlers::parseThirdParty,
                StandardHandlers::serializeThirdParty, false)
            .registerOption(PreferFailureOption.CODE, PreferFailureOption.class,
                StandardHandlers::parsePreferFailure, (option, out) -> { }, false)
            .registerOption(FilterOption.CODE, FilterOption.class, StandardHandlers::parseFilter,
                StandardHandlers::serializeFilter, true)
            .registerOption(DescriptionOption.CODE, DescriptionOption.class, StandardHandlers::parseDescription,
                StandardHandlers::serializeDescription, false)
            .registerOption(flowPriorityCode, FlowPriorityOption.class, StandardHandlers::parseFlowPriority,
                StandardHandlers::serializeFlowPriority, false);
    }

    @Nullable OptionEntry optionByCode(final int code) {
        return optionsByCode.get(code);
    }

    @Nullable OptionEntry optionByType(final Class<? extends PcpOption> type) {
        return optionsByType.get(type);
    }

    @Nullable OpcodeEntry opcode(final int code) {
        return opcodes.get(code);
    }
}
