/**
 * Branded primitive types: a `string` that the type checker will not confuse with another kind of
 * `string`. Data only — constructing a branded value is the job of the code that validates it.
 */
declare const brand: unique symbol;

export type Brand<T, B extends string> = T & { readonly [brand]: B };

/** Endpoint id: base64url (no padding) of a domain-separated SHA-256 of the signing key. */
export type EndpointId = Brand<string, 'EndpointId'>;
/** Room id as issued by the node. */
export type RoomId = Brand<string, 'RoomId'>;
