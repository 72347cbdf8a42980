import { Types, type SqlType } from '../../types/sql-type.js';

export type NexmarkKind = 'bid' | 'auction' | 'person';

/** The columns of each Nexmark event kind, as the benchmark's model defines them. */
export const nexmarkColumns: Record<NexmarkKind, { name: string; type: SqlType }[]> = {
  person: [
    { name: 'id', type: Types.int8 }, { name: 'name', type: Types.text }, { name: 'email_address', type: Types.text },
    { name: 'credit_card', type: Types.text }, { name: 'city', type: Types.text }, { name: 'state', type: Types.text },
    { name: 'date_time', type: Types.timestamp }, { name: 'extra', type: Types.text },
  ],
  auction: [
    { name: 'id', type: Types.int8 }, { name: 'item_name', type: Types.text }, { name: 'description', type: Types.text },
    { name: 'initial_bid', type: Types.int8 }, { name: 'reserve', type: Types.int8 }, { name: 'date_time', type: Types.timestamp },
    { name: 'expires', type: Types.timestamp }, { name: 'seller', type: Types.int8 }, { name: 'category', type: Types.int8 },
    { name: 'extra', type: Types.text },
  ],
  bid: [
    { name: 'auction', type: Types.int8 }, { name: 'bidder', type: Types.int8 }, { name: 'price', type: Types.int8 },
    { name: 'channel', type: Types.text }, { name: 'url', type: Types.text }, { name: 'date_time', type: Types.timestamp },
    { name: 'extra', type: Types.text },
  ],
};
