// A file of result tables (calibration and the like), written through the one
// HDF5 layer: root attributes, then declared groups (runner/output/layout.hpp)
// with their coordinates and columns. Like H5Output it is written under a
// temporary name and renamed by commit(), so an interrupted run never leaves
// a file that looks complete.
#pragma once

#include "runner/output/layout.hpp"
#include "runner/output/output_file.hpp"

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

namespace pbsim::runner {

namespace h5 {
class AtomicFile;
class GroupWriter;
} // namespace h5

class ResultsFile {
  public:
    // Creates FINAL.partial-PID (the path checked first); throws OutputError naming the file.
    explicit ResultsFile(std::filesystem::path final_path);
    ~ResultsFile(); // without commit(): closes and removes the temporary file
    ResultsFile(const ResultsFile&) = delete;
    ResultsFile& operator=(const ResultsFile&) = delete;

    // The common root attributes (h5::write_provenance) for this kind of file.
    void provenance(const layout::File& kind, const CommonProvenance& p);

    // `object` is "/" or the path of a group already written.
    void attribute(const std::string& object, const std::string& name, const std::string& value);
    void attribute(const std::string& object, const std::string& name, double value);
    void attribute(const std::string& object, const std::string& name, std::int32_t value);
    void attribute(const std::string& object, const std::string& name, std::int64_t value);
    void attribute(const std::string& object, const std::string& name, std::uint64_t value);

    // One declared group, written coordinates first; closed by finish() or
    // when the next group starts. Throws OutputError.
    class Table {
      public:
        void index(const std::string& coordinate, std::size_t n);
        void coordinate(const std::string& name, const std::vector<std::string>& values);
        void numbers(const std::string& name, const std::vector<double>& values);
        void strings(const std::string& name, const std::vector<std::string>& values);
        void attribute(const std::string& name, const std::string& value);
        void attribute(const std::string& name, double value);
        void attribute(const std::string& name, std::int32_t value);

      private:
        friend class ResultsFile;
        explicit Table(ResultsFile& f) : file_(f) {}
        ResultsFile& file_;
    };
    // `path` overrides the declared path (e.g. /generations/03).
    Table& table(const layout::Group& decl, const std::string& path = {});

    void commit();

  private:
    std::unique_ptr<h5::AtomicFile> file_;
    std::unique_ptr<h5::GroupWriter> group_;
    std::unique_ptr<Table> table_;
    void finish();
    template <class T> void set(const std::string& object, const std::string& name, const T& value);
};

} // namespace pbsim::runner
