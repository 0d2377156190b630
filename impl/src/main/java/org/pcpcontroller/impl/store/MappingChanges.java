/*
 * Copyright (c) 2026 PCP Controller authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.pcpcontroller.impl.store;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Predicate;
import org.eclipse.jdt.annotation.Nullable;
import org.opendaylight.mdsal.common.api.LogicalDatastoreType;
import org.opendaylight.mdsal.dom.api.DOMDataBroker;
import org.opendaylight.mdsal.dom.api.DOMDataTreeChangeListener;
import org.opendaylight.mdsal.dom.api.DOMDataTreeIdentifier;
import org.opendaylight.yangtools.concepts.Registration;
import org.opendaylight.yangtools.yang.data.api.YangInstanceIdentifier;
import org.opendaylight.yangtools.yang.data.api.YangInstanceIdentifier.NodeIdentifier;
import org.opendaylight.yangtools.yang.data.api.YangInstanceIdentifier.NodeIdentifierWithPredicates;
import org.opendaylight.yangtools.yang.data.api.schema.DataContainerNode;
import org.opendaylight.yangtools.yang.data.api.schema.NormalizedNode;
import org.opendaylight.yangtools.yang.data.tree.api.DataTreeCandidate;
import org.opendaylight.yangtools.yang.data.tree.api.DataTreeCandidateNode;
import org.opendaylight.yangtools.yang.data.tree.api.ModificationType;
import org.pcpcontroller.api.mapping.Mapping;
import org.pcpcontroller.api.mapping.MappingKey;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The changes of the stored mappings, for the renderers. They are read from the DOM data tree, and a renderer's
 * filter sees the DOM nodes first: a mapping it does not render costs a look at one child, not a conversion; the
 * others are converted by {@link DomMappings}. With the
 * binding listeners before, every renderer converted the path and the data of every changed mapping (and of all of
 * them on start-up, a million with a full controller), which cost more than the store's own write.
 */
public final class MappingChanges {
    /**
     * A changed mapping: its key, and the mapping now, null when it was deleted.
     */
    public record Change(MappingKey key, @Nullable Mapping after) {
    }

    /**
     * Which changed mappings a renderer wants, decided on the DOM nodes before they are converted.
     */
    @FunctionalInterface
    public interface Filter {
        /**
         * Whether the change of one mapping is passed on.
         *
         * @param gateway the gateway of the mapping
         * @param before the mapping's node before the change, null if it is new
         * @param after the mapping's node after the change, null if it was deleted
         */
        boolean wants(String gateway, @Nullable DataContainerNode before, @Nullable DataContainerNode after);
    }

    /** Every change of the gateways that a predicate selects. */
    public static Filter ofGateways(final Predicate<String> gateways) {
        return (gateway, before, after) -> gateways.test(gateway);
    }

    /** The mappings that have FLOW_PRIORITY, before or after the change. */
    public static final Filter FLOW_PRIORITY = (gateway, before, after) -> DomMappings.hasFlowPriority(before)
        || DomMappings.hasFlowPriority(after);

    private static final Logger LOG = LoggerFactory.getLogger(MappingChanges.class);

    private final Filter filter;
    private final Consumer<List<Change>> listener;

    private MappingChanges(final Filter filter, final Consumer<List<Change>> listener) {
        this.filter = requireNonNull(filter);
        this.listener = requireNonNull(listener);
    }

    /**
     * Follows the mappings in the configuration datastore. The listener gets the changes its filter lets through,
     * in the order of the datastore's notifications, starting with the mappings stored at registration; it is not
     * called with an empty list.
     */
    public static Registration register(final DOMDataBroker broker, final Filter filter,
            final Consumer<List<Change>> listener) {
        final var changes = new MappingChanges(filter, listener);
        return broker.extension(DOMDataBroker.DataTreeChangeExtension.class).registerTreeChangeListener(
            DOMDataTreeIdentifier.of(LogicalDatastoreType.CONFIGURATION,
                YangInstanceIdentifier.of(DomMappings.MAPPINGS)),
            new DOMDataTreeChangeListener() {
                @Override
                public void onDataTreeChanged(final List<DataTreeCandidate> candidates) {
                    changes.onDataTreeChanged(candidates);
                }

                @Override
                public void onInitialData() {
                    // nothing stored yet: nothing to tell
                }
            });
    }

    private void onDataTreeChanged(final List<DataTreeCandidate> candidates) {
        final var changes = new ArrayList<Change>();
        for (var candidate : candidates) {
            // registered at /mappings: the root is the mappings container
            final var gateways = candidate.getRootNode().modifiedChild(DomMappings.GATEWAY);
            if (gateways == null) {
                continue;
            }
            for (var gatewayNode : gateways.childNodes()) {
                if (gatewayNode.name() instanceof NodeIdentifierWithPredicates entry
                        && entry.getValue(DomMappings.GATEWAY_ID) instanceof String gateway) {
                    collect(gateway, gatewayNode.modifiedChild(DomMappings.MAP), DomMappings.MAP, changes);
                    collect(gateway, gatewayNode.modifiedChild(DomMappings.PEER), DomMappings.PEER, changes);
                }
            }
        }
        if (!changes.isEmpty()) {
            listener.accept(changes);
        }
    }

    // A notification thread must not die of one mapping the codec cannot read: it is logged and left out.
    @SuppressWarnings("checkstyle:IllegalCatch")
    private void collect(final String gateway, final @Nullable DataTreeCandidateNode list,
            final NodeIdentifier listName, final List<Change> changes) {
        if (list == null) {
            return;
        }
        for (var node : list.childNodes()) {
            if (node.modificationType() == ModificationType.UNMODIFIED) {
                continue;
            }
            final var before = asContainer(node.dataBefore());
            final var after = asContainer(node.dataAfter());
            if (before == null && after == null || !filter.wants(gateway, before, after)) {
                continue;
            }
            try {
                final var afterMapping = after == null ? null : convert(gateway, listName, after);
                final var key = afterMapping != null ? afterMapping.key()
                    : convert(gateway, listName, requireNonNull(before)).key();
                changes.add(new Change(key, afterMapping));
            } catch (RuntimeException e) {
                LOG.warn("Gateway {}: cannot read the changed mapping {}", gateway, node.name(), e);
            }
        }
    }

    private static Mapping convert(final String gateway, final NodeIdentifier list, final DataContainerNode node) {
        return list.equals(DomMappings.MAP) ? DomMappings.fromMap(gateway, node) : DomMappings.fromPeer(gateway, node);
    }

    private static @Nullable DataContainerNode asContainer(final @Nullable NormalizedNode node) {
        return node instanceof DataContainerNode container ? container : null;
    }
}
