import { AccessToken, type VideoGrant } from "livekit-server-sdk";
import { DEFAULTS } from "../schema/defaults";

/** The seed's room naming: one room per camera, `camera_<uuid>`. */
export const CAMERA_ROOM = new RegExp(`^${DEFAULTS.rooms.namePrefix}[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`);

/** The seed: tokens live one hour. A day is the most the tool will sign. */
export const DEFAULT_TTL_SECONDS = 3600;
export const MAX_TTL_SECONDS = 86400;

export class TokenRequestError extends Error {}

/** "90s", "30m", "1h", "2h30m" or plain seconds (a regex, not ms or parse-duration: those also take 1.5h, "1 hour", -1h). */
export function parseTtl(text: string, flag = "--ttl"): number {
  const m = /^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s?)?$/.exec(text.trim());
  if (!m || text.trim() === "") throw new TokenRequestError(`${flag} "${text}" is not a duration; use e.g. 1h, 30m or 900s`);
  const seconds = Number(m[1] ?? 0) * 3600 + Number(m[2] ?? 0) * 60 + Number(m[3] ?? 0);
  if (seconds < 1 || seconds > MAX_TTL_SECONDS) throw new TokenRequestError(`${flag} must be between 1s and ${MAX_TTL_SECONDS / 3600}h`);
  return seconds;
}

export interface TokenRequest {
  apiKey: string;
  apiSecret: string;
  room: string;
  identity: string;
  publish: boolean;
  ttlSeconds: number;
  anyRoom: boolean;
}

/**
 * The grant of a token, separate for the two roles the seed names: a viewer subscribes and may
 * not publish anything; a publisher (a camera feed) publishes and subscribes to nothing.
 */
export function grantFor(req: Pick<TokenRequest, "room" | "publish">): VideoGrant {
  return req.publish
    ? { roomJoin: true, room: req.room, canPublish: true, canSubscribe: false, canPublishData: false }
    : { roomJoin: true, room: req.room, canPublish: false, canSubscribe: true, canPublishData: false };
}

/** A room-scoped JWT. Refuses room names outside the `camera_<uuid>` convention unless `anyRoom`. */
export async function mintToken(req: TokenRequest): Promise<string> {
  if (!req.anyRoom && !CAMERA_ROOM.test(req.room))
    throw new TokenRequestError(`room "${req.room}" does not follow camera_<uuid> (lowercase); pass --any-room to sign it anyway`);
  if (req.identity.trim() === "") throw new TokenRequestError("--identity must not be empty");
  const token = new AccessToken(req.apiKey, req.apiSecret, { identity: req.identity, ttl: req.ttlSeconds });
  token.addGrant(grantFor(req));
  return token.toJwt();
}
