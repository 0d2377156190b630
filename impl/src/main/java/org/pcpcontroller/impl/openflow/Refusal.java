/*
 * Copyright (c) 2026 PCP Controller authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.pcpcontroller.impl.openflow;

import static java.util.Objects.requireNonNull;

import org.projectfloodlight.openflow.protocol.OFErrorMsg;

/**
 * A message of a burst the switch refused: its position in the burst and the switch's error.
 *
 * @param index position of the refused message in the list that was sent
 * @param error what the switch said
 */
public record Refusal(int index, OFErrorMsg error) {
    public Refusal {
        requireNonNull(error);
    }
}
