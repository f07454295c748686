// Intake forms: show a custom field only for the categories that ask for it (data-categories:
// their ids, empty for every category). Without this script every field shows.
(() => {
  const category = document.getElementById("id_category");
  if (!category) return;
  const update = () => {
    document.querySelectorAll(".custom-field[data-categories]").forEach((wrapper) => {
      const ids = wrapper.dataset.categories.split(" ").filter(Boolean);
      wrapper.hidden = ids.length > 0 && !ids.includes(category.value);
    });
  };
  category.addEventListener("change", update);
  update();
})();
