/*
 * Copyright (c) 2026 PCP Controller authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.pcpcontroller.impl.store;

/**
 * The steps a change goes through between the index and the datastore commit, in order. Any of them may fail; the
 * store then undoes what the earlier ones did, so that the index never holds what the datastore does not. Tests name
 * a step to make it fail there ({@link DatastoreMappingStore#failAt}).
 */
public enum ChangeStep {
    /** The mapping is converted to its binding object (where the model's restrictions are checked). */
    CONVERTED,
    /** The change is in the index: decisions of other requests see it from now on. */
    INDEXED,
    /** The lease end is on the expiry timer. */
    EXPIRY_SCHEDULED,
    /** The change is written into the open transaction. */
    WRITTEN,
    /** The transaction is submitted. */
    SUBMITTED
}
