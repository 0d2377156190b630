/*
 * Copyright (c) 2026 PCP Controller authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.pcpcontroller.impl.store;

import static java.util.Objects.requireNonNull;

import com.google.common.net.InetAddresses;
import com.google.common.util.concurrent.FluentFuture;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import org.eclipse.jdt.annotation.Nullable;
import org.opendaylight.mdsal.common.api.DataValidationFailedException;
import org.opendaylight.mdsal.common.api.PostCanCommitStep;
import org.opendaylight.mdsal.common.api.PostPreCommitStep;
import org.opendaylight.mdsal.dom.api.DOMDataTreeCandidate;
import org.opendaylight.mdsal.dom.api.DOMDataTreeCommitCohort;
import org.opendaylight.yangtools.util.concurrent.FluentFutures;
import org.opendaylight.yangtools.yang.data.api.YangInstanceIdentifier;
import org.opendaylight.yangtools.yang.data.api.YangInstanceIdentifier.NodeIdentifierWithPredicates;
import org.opendaylight.yangtools.yang.data.api.schema.DataContainerNode;
import org.opendaylight.yangtools.yang.data.api.schema.LeafNode;
import org.opendaylight.yangtools.yang.data.api.schema.MapNode;
import org.opendaylight.yangtools.yang.data.tree.api.DataTreeCandidateNode;
import org.opendaylight.yangtools.yang.data.tree.api.ModificationType;
import org.opendaylight.yangtools.yang.model.api.EffectiveModelContext;
import org.pcpcontroller.api.mapping.Mapping;
import org.pcpcontroller.impl.store.StoredEntries.StoredEpoch;
import org.pcpcontroller.impl.store.StoredEntries.Unreadable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Refuses, at commit, every write of {@code /mappings} (configuration) that is not the store's own: RESTCONF, NETCONF
 * or any other writer would otherwise put mappings into effect on the gateways that the store's index never holds,
 * so that their ports and quotas leak and their leases never end. Operators change mappings through the RPCs,
 * which validate. The one exception is deleting an entry the store set aside as unreadable at start-up: that is how
 * an operator cleans up.
 *
 * <p>The store commits one transaction at a time and says beforehand what it writes ({@link Written}); a transaction
 * is the store's when every change it makes below {@code /mappings} is exactly that. So anything else is refused,
 * even while the store's own transaction is in flight, and the check needs no identity of the writer, which the
 * cohort API does not give. A writer that writes exactly what the store writes at that moment changes nothing.
 */
final class MappingsCohort implements DOMDataTreeCommitCohort {
    /**
     * The store's side: what it writes now, and its unreadable entries.
     */
    interface Writer {
        /** What the store's transaction in flight writes, or nothing. */
        Written writing();

        /** The unreadable entry at this path of this gateway, if there is one. */
        Optional<Unreadable> unreadable(String gateway, String entry);

        /** Unreadable entries whose deletion was committed. */
        void unreadableDeleted(List<Unreadable> deleted);
    }

    private static final Logger LOG = LoggerFactory.getLogger(MappingsCohort.class);
    private static final YangInstanceIdentifier MAPPINGS = YangInstanceIdentifier.of(DomMappings.MAPPINGS);
    private static final String HOW = "pcp-mapping:mappings is written by the controller only: change mappings with "
        + "the RPCs add-mapping, refresh-mapping, remove-mapping and clear-gateway";

    private final Writer writer;

    MappingsCohort(final Writer writer) {
        this.writer = requireNonNull(writer);
    }

    @Override
    public FluentFuture<PostCanCommitStep> canCommit(final Object txId, final EffectiveModelContext ctx,
            final Collection<DOMDataTreeCandidate> candidates) {
        final var check = new Check(writer);
        for (var candidate : candidates) {
            check.candidate(candidate.getRootPath().path(), candidate.getRootNode());
            if (check.refusal != null) {
                LOG.info("Refusing a write of the mappings: {}", check.refusal);
                return FluentFutures.immediateFailedFluentFuture(new DataValidationFailedException(
                    YangInstanceIdentifier.class, candidate.getRootPath().path(), HOW + " (refused: " + check.refusal
                        + ")"));
            }
        }
        if (check.deletedUnreadable.isEmpty()) {
            return PostCanCommitStep.NOOP_SUCCESSFUL_FUTURE;
        }
        final var deleted = List.copyOf(check.deletedUnreadable);
        return FluentFutures.immediateFluentFuture(new PostCanCommitStep() {
            @Override
            public FluentFuture<PostPreCommitStep> preCommit() {
                return FluentFutures.immediateFluentFuture(new PostPreCommitStep() {
                    @Override
                    public FluentFuture<?> abort() {
                        return FluentFutures.immediateNullFluentFuture();
                    }

                    @Override
                    public FluentFuture<?> commit() {
                        writer.unreadableDeleted(deleted);
                        return FluentFutures.immediateNullFluentFuture();
                    }
                });
            }

            @Override
            public FluentFuture<?> abort() {
                return FluentFutures.immediateNullFluentFuture();
            }
        });
    }

    /**
     * The check of one transaction: the first change that is not the store's, if any.
     */
    static final class Check {
        private final Writer writer;
        private final Written written;
        @Nullable String refusal;
        final List<Unreadable> deletedUnreadable = new ArrayList<>();

        Check(final Writer writer) {
            this.writer = writer;
            written = writer.writing();
        }

        void candidate(final YangInstanceIdentifier root, final DataTreeCandidateNode node) {
            // registered at /mappings: that is where candidates are rooted
            if (!root.equals(MAPPINGS)) {
                refuse("a change rooted at " + root);
                return;
            }
            if (node.modificationType() == ModificationType.UNMODIFIED) {
                return;
            }
            if (node.dataAfter() == null) {
                // The datastore drops /mappings by itself when the store deletes the last gateway's entry (an empty
                // non-presence container is not kept): the store's own exactly when every gateway was its to delete.
                if (node.dataBefore() instanceof DataContainerNode before
                        && before.childByArg(DomMappings.GATEWAY) instanceof MapNode gateways) {
                    for (var gateway : gateways.body()) {
                        final var id = (String) gateway.name().getValue(DomMappings.GATEWAY_ID);
                        if (!written.deletedGateways().contains(id)) {
                            refuse("deleting every mapping, those of gateway " + id + " among them");
                            return;
                        }
                    }
                }
                return;
            }
            for (var child : node.childNodes()) {
                if (child.modificationType() == ModificationType.UNMODIFIED) {
                    continue;
                }
                if (!child.name().equals(DomMappings.GATEWAY)) {
                    refuse("a change of " + child.name());
                    return;
                }
                for (var gateway : child.childNodes()) {
                    gateway(gateway);
                    if (refusal != null) {
                        return;
                    }
                }
            }
        }

        private void gateway(final DataTreeCandidateNode node) {
            if (node.modificationType() == ModificationType.UNMODIFIED) {
                return;
            }
            final var id = (String) ((NodeIdentifierWithPredicates) node.name()).getValue(DomMappings.GATEWAY_ID);
            if (node.dataAfter() == null) {
                if (node.dataBefore() != null && !written.deletedGateways().contains(id)) {
                    refuse("deleting the mappings of gateway " + id);
                }
                return;
            }
            for (var child : node.childNodes()) {
                if (child.modificationType() == ModificationType.UNMODIFIED
                        || child.name().getNodeType().equals(DomMappings.GATEWAY_ID)) {
                    // the key leaf comes with the entry, and cannot differ from the key
                    continue;
                }
                if (child.name().equals(StoredEntries.EPOCH)) {
                    epoch(id, child);
                } else if (child.name().equals(DomMappings.MAP) || child.name().equals(DomMappings.PEER)) {
                    for (var entry : child.childNodes()) {
                        entry(id, child.name().equals(DomMappings.MAP), entry);
                        if (refusal != null) {
                            return;
                        }
                    }
                } else {
                    refuse("a change of " + child.name().getNodeType().getLocalName() + " of gateway " + id);
                }
                if (refusal != null) {
                    return;
                }
            }
        }

        // Conversion failures are the writer's problem: they are refused with their reason.
        @SuppressWarnings("checkstyle:IllegalCatch")
        private void epoch(final String gateway, final DataTreeCandidateNode node) {
            final var expected = written.epochs().get(gateway);
            Optional<StoredEpoch> after = Optional.empty();
            if (node.dataAfter() instanceof DataContainerNode epoch
                    && epoch.childByArg(StoredEntries.EPOCH_ORIGIN) instanceof LeafNode<?> origin) {
                try {
                    final var external = epoch.childByArg(StoredEntries.EPOCH_EXTERNAL) instanceof LeafNode<?> address
                        ? InetAddresses.forString((String) address.body()) : null;
                    after = Optional.of(new StoredEpoch(BindingMappings.instant((String) origin.body()), external));
                } catch (RuntimeException e) {
                    refuse("an epoch of gateway " + gateway + " that cannot be read");
                    return;
                }
            }
            if (!after.equals(expected)) {
                refuse("a change of the epoch of gateway " + gateway);
            }
        }

        // Conversion failures are the writer's problem: they are refused with their reason.
        @SuppressWarnings("checkstyle:IllegalCatch")
        private void entry(final String gateway, final boolean map, final DataTreeCandidateNode node) {
            if (node.modificationType() == ModificationType.UNMODIFIED) {
                return;
            }
            final var name = (NodeIdentifierWithPredicates) node.name();
            final var path = map ? StoredEntries.mapPath(name) : StoredEntries.peerPath(name);
            final var after = node.dataAfter() instanceof DataContainerNode container ? container : null;
            final var before = node.dataBefore() instanceof DataContainerNode container ? container : null;
            if (after == null) {
                if (before == null) {
                    return;
                }
                final var unreadable = writer.unreadable(gateway, path);
                if (unreadable.isPresent()) {
                    deletedUnreadable.add(unreadable.orElseThrow());
                    return;
                }
                try {
                    final var key = map ? DomMappings.mapKey(gateway, before) : DomMappings.peerKey(gateway, before);
                    if (Optional.empty().equals(written.mappings().get(key))) {
                        return;
                    }
                } catch (RuntimeException e) {
                    // not the store's: it writes only keys it can read
                }
                refuse("deleting " + path + " of gateway " + gateway);
                return;
            }
            final Mapping mapping;
            try {
                mapping = map ? DomMappings.fromMap(gateway, after) : DomMappings.fromPeer(gateway, after);
            } catch (RuntimeException e) {
                refuse("writing " + path + " of gateway " + gateway + ", which cannot be read: " + e.getMessage());
                return;
            }
            final var expected = written.mappings().get(mapping.key());
            if (expected == null || expected.isEmpty() || !DomMappings.same(mapping, expected.orElseThrow())) {
                refuse("writing " + path + " of gateway " + gateway);
            }
        }

        private void refuse(final String what) {
            if (refusal == null) {
                refusal = what;
            }
        }
    }
}
