/*
 * Copyright (c) 2026 PCP Controller authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.pcpcontroller.impl.gateway;

import static java.util.Objects.requireNonNull;

import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import org.opendaylight.yangtools.yang.common.QName;
import org.opendaylight.yangtools.yang.model.api.ChoiceSchemaNode;
import org.opendaylight.yangtools.yang.model.api.EffectiveModelContext;
import org.opendaylight.yangtools.yang.model.api.LeafSchemaNode;
import org.opendaylight.yangtools.yang.model.api.stmt.DefaultEffectiveStatement;

/**
 * The default values of configuration leaves, read from the YANG model itself. MD-SAL does not write defaults into
 * the datastore (an absent leaf means its default), so whoever reads a configuration must know them; reading them
 * from the model keeps the model the one place where a default is stated.
 */
public final class ModelDefaults {
    private final EffectiveModelContext context;
    private final Set<List<QName>> asked = ConcurrentHashMap.newKeySet();

    public ModelDefaults(final EffectiveModelContext context) {
        this.context = requireNonNull(context);
    }

    /**
     * The default of the leaf at a data-tree path (choices and cases are not named in it).
     *
     * @throws IllegalArgumentException if there is no such leaf or it has no default
     */
    public String leaf(final QName... path) {
        asked.add(List.of(path));
        if (!(context.findDataTreeChild(path).orElse(null) instanceof LeafSchemaNode leaf)) {
            throw new IllegalArgumentException("No leaf " + describe(path) + " in the model");
        }
        return leaf.asEffectiveStatement().findFirstEffectiveSubstatementArgument(DefaultEffectiveStatement.class)
            .or(() -> leaf.getType().getDefaultValue().map(Object::toString))
            .orElseThrow(() -> new IllegalArgumentException("Leaf " + describe(path) + " has no default"));
    }

    public long uint(final QName... path) {
        return Long.parseLong(leaf(path));
    }

    public int uint16(final QName... path) {
        return Integer.parseInt(leaf(path));
    }

    public boolean bool(final QName... path) {
        return Boolean.parseBoolean(leaf(path));
    }

    /**
     * The local name of the default case of the choice at a data-tree path (the path names the choice last).
     *
     * @throws IllegalArgumentException if there is no such choice or it has no default case
     */
    public String defaultCase(final QName... path) {
        asked.add(List.of(path));
        final var parent = Arrays.copyOf(path, path.length - 1);
        final var container = parent.length == 0 ? context : context.findDataTreeChild(parent).orElse(null);
        if (!(container instanceof org.opendaylight.yangtools.yang.model.api.DataNodeContainer node)
                || !(node.dataChildByName(path[path.length - 1]) instanceof ChoiceSchemaNode choice)) {
            throw new IllegalArgumentException("No choice " + describe(path) + " in the model");
        }
        return choice.getDefaultCase().orElseThrow(() -> new IllegalArgumentException(
            "Choice " + describe(path) + " has no default case")).getQName().getLocalName();
    }

    /**
     * The paths whose defaults were asked for: a test holds them against every default the model states, so that
     * none is left unread.
     */
    public Set<List<QName>> asked() {
        return Set.copyOf(asked);
    }

    private static String describe(final QName... path) {
        return Arrays.stream(path).map(QName::getLocalName).collect(Collectors.joining("/", "/", ""));
    }
}
