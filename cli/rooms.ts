import { RoomServiceClient } from "livekit-server-sdk";
import { apiUrl } from "../schema";
import type { ApiCredentials } from "./credentials";

export async function listRooms(url: string, creds: ApiCredentials): Promise<string[]> {
  const rooms = await new RoomServiceClient(apiUrl(url), creds.apiKey, creds.apiSecret).listRooms();
  const rows = rooms
    .sort((a, b) => a.name.localeCompare(b.name))
    .map((r) => `${r.name}\t${r.numParticipants} participant(s)\t${r.numPublishers} publisher(s)\tempty_timeout ${r.emptyTimeout}s`);
  return [`${rooms.length} room(s)`, ...rows];
}

export async function deleteRoom(url: string, creds: ApiCredentials, room: string): Promise<void> {
  await new RoomServiceClient(apiUrl(url), creds.apiKey, creds.apiSecret).deleteRoom(room);
}
