#!/usr/bin/env python3
"""Independent checker of an ESP32 flash dump, written from the ESP-IDF format descriptions
(esp_app_format.h, esp_flash_partitions.h, gen_esp32part.py, esp_image_format.c) without
reusing mqtts-lab code: the test suite compares its view with parseFlashImage's.

Usage: esp32_image_check.py FLASH.bin
Prints one JSON object; exit status 0 when no problem was found, 1 otherwise.
"""
import hashlib
import json
import re
import struct
import sys
import zlib

BOOTLOADER_OFFSET = 0x1000
PARTITION_TABLE_OFFSET = 0x8000
PARTITION_TABLE_MAX = 0xC00
IMAGE_MAGIC = 0xE9
CHECKSUM_INIT = 0xEF
MMU_PAGE = 0x10000
# (low, high) of the flash-mapped windows of the ESP32 (soc.h: SOC_DROM_*, SOC_IROM_*)
MAPPED = [(0x3F400000, 0x3F800000), (0x400D0000, 0x40400000)]


def u32(b, at):
    return struct.unpack_from("<I", b, at)[0]


def read_image(b, offset, limit, errors, what):
    """Walk esp_image_header_t, the segment headers, the checksum and the appended SHA-256."""
    if offset + 24 > limit:
        errors.append("%s: header overruns" % what)
        return None
    magic, count, mode, speed_size, entry = struct.unpack_from("<BBBBI", b, offset)
    wp_pin = b[offset + 8]
    chip_id = struct.unpack_from("<H", b, offset + 12)[0]
    hash_appended = b[offset + 23]
    image = {
        "offset": offset,
        "magic": magic,
        "segment_count": count,
        "spi_mode": mode,
        "spi_speed": speed_size & 0x0F,
        "spi_size": speed_size >> 4,
        "entry": entry,
        "wp_pin": wp_pin,
        "chip_id": chip_id,
        "hash_appended": hash_appended,
        "segments": [],
    }
    if magic != IMAGE_MAGIC:
        errors.append("%s: bad magic 0x%02x" % (what, magic))
        return image
    if count == 0 or count > 16:
        errors.append("%s: segment count %d" % (what, count))
        return image
    pos = offset + 24
    checksum = CHECKSUM_INIT
    for i in range(count):
        if pos + 8 > limit:
            errors.append("%s: segment %d header overruns" % (what, i))
            return image
        load_addr, length = struct.unpack_from("<II", b, pos)
        data_offset = pos + 8
        if length % 4 != 0:
            errors.append("%s: segment %d length 0x%x not a multiple of 4" % (what, i, length))
        if data_offset + length > limit:
            errors.append("%s: segment %d overruns its partition" % (what, i))
            return image
        for low, high in MAPPED:
            if low <= load_addr < high and data_offset % MMU_PAGE != load_addr % MMU_PAGE:
                errors.append("%s: segment %d load address 0x%08x does not match data 0x%x" % (what, i, load_addr, data_offset))
        for byte in b[data_offset:data_offset + length]:
            checksum ^= byte
        image["segments"].append({"load_addr": load_addr, "length": length, "data_offset": data_offset})
        pos = data_offset + length
    # The checksum byte is the last byte of a 16-byte block, counted from the image start.
    pos += 15 - ((pos - offset) % 16)
    if pos + 1 > limit:
        errors.append("%s: checksum overruns" % what)
        return image
    image["checksum_stored"] = b[pos]
    image["checksum_computed"] = checksum
    if b[pos] != checksum:
        errors.append("%s: checksum mismatch" % what)
    end = pos + 1
    if hash_appended == 1:
        if end + 32 > limit:
            errors.append("%s: SHA-256 overruns" % what)
            return image
        image["sha256_computed"] = hashlib.sha256(b[offset:end]).hexdigest()
        image["sha256_stored"] = b[end:end + 32].hex()
        if image["sha256_computed"] != image["sha256_stored"]:
            errors.append("%s: SHA-256 mismatch" % what)
        end += 32
    image["length"] = end - offset
    return image


def read_partition_table(b, errors):
    table = b[PARTITION_TABLE_OFFSET:PARTITION_TABLE_OFFSET + PARTITION_TABLE_MAX]
    md5 = hashlib.md5()
    entries = []
    result = {"entries": entries, "md5_stored": None, "md5_computed": None}
    for at in range(0, PARTITION_TABLE_MAX, 32):
        entry = table[at:at + 32]
        if entry == b"\xff" * 32:
            break
        if entry[:2] == b"\xeb\xeb":
            result["md5_stored"] = entry[16:].hex()
            result["md5_computed"] = md5.hexdigest()
            if result["md5_stored"] != result["md5_computed"]:
                errors.append("partition table: MD5 mismatch")
            continue
        if entry[:2] != b"\xaa\x50":
            errors.append("partition table: bad magic at entry %d" % (at // 32))
            break
        md5.update(entry)
        _, ptype, subtype, offset, size, label, flags = struct.unpack("<2sBBLL16sL", entry)
        entries.append({
            "label": label.split(b"\x00")[0].decode(),
            "type": ptype,
            "subtype": subtype,
            "offset": offset,
            "size": size,
            "flags": flags,
        })
    else:
        errors.append("partition table: no end marker")
    if result["md5_stored"] is None:
        errors.append("partition table: no MD5 entry")
    for e in entries:
        if e["offset"] + e["size"] > len(b):
            errors.append("partition %s overruns the flash" % e["label"])
    return result


def read_otadata(b, part, apps):
    """esp_ota_select_entry_t in each of the two sectors; crc = crc32_le(UINT32_MAX, ota_seq)."""
    entries = []
    for sector in range(2):
        at = part["offset"] + sector * 0x1000
        seq, state, crc = u32(b, at), u32(b, at + 24), u32(b, at + 28)
        crc_ok = crc == (zlib.crc32(struct.pack("<I", seq), 0xFFFFFFFF) & 0xFFFFFFFF)
        valid = seq != 0xFFFFFFFF and state not in (3, 4) and crc_ok
        entries.append({"seq": seq, "state": state, "crc": crc, "valid": valid})
    ota = sorted([p for p in apps if 0x10 <= p["subtype"] < 0x20], key=lambda p: p["subtype"])
    valid = [e for e in entries if e["valid"]]
    if valid and ota:
        boot = ota[(max(e["seq"] for e in valid) - 1) % len(ota)]
    else:
        factory = [p for p in apps if p["subtype"] == 0]
        boot = (factory or ota or apps)[0]
    return {"entries": entries, "boot_partition": boot["label"]}


def app_desc(b, image):
    """esp_app_desc_t at the start of the first segment (DROM)."""
    seg = image["segments"][0]
    at = seg["data_offset"]
    if u32(b, at) != 0xABCD5432:
        return None

    def text(off, size):
        return b[at + off:at + off + size].split(b"\x00")[0].decode()

    return {
        "secure_version": u32(b, at + 4),
        "version": text(16, 32),
        "project_name": text(48, 32),
        "time": text(80, 16),
        "date": text(96, 16),
        "idf_ver": text(112, 32),
        "app_elf_sha256": b[at + 144:at + 176].hex(),
    }


def main(path):
    with open(path, "rb") as f:
        b = f.read()
    errors = []
    out = {"flash_size": len(b), "errors": errors}
    out["bootloader"] = read_image(b, BOOTLOADER_OFFSET, PARTITION_TABLE_OFFSET, errors, "bootloader")
    table = read_partition_table(b, errors)
    out["partition_table"] = table
    apps = [e for e in table["entries"] if e["type"] == 0]
    otadata = [e for e in table["entries"] if e["type"] == 1 and e["subtype"] == 0]
    if otadata:
        out["otadata"] = read_otadata(b, otadata[0], apps)
        boot_label = out["otadata"]["boot_partition"]
    else:
        boot_label = apps[0]["label"] if apps else None
    boot = [p for p in apps if p["label"] == boot_label]
    if boot:
        p = boot[0]
        image = read_image(b, p["offset"], p["offset"] + p["size"], errors, "app " + p["label"])
        if image is not None:
            image["partition"] = p["label"]
            if image["segments"]:
                image["app_desc"] = app_desc(b, image)
        out["app"] = image
    else:
        errors.append("no app partition to boot")
    # What the flash-dump attack does next: a plain text search for PEM armour.
    out["pem_blocks"] = [
        {"offset": m.start(), "label": m.group(1).decode()}
        for m in re.finditer(rb"-----BEGIN ([A-Z0-9 ]+)-----", b)
    ]
    json.dump(out, sys.stdout, indent=1)
    sys.stdout.write("\n")
    return 1 if errors else 0


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.stderr.write("usage: esp32_image_check.py FLASH.bin\n")
        sys.exit(2)
    sys.exit(main(sys.argv[1]))
